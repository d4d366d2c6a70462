// Many UDP sockets behind one epoll descriptor, read in batches with recvmmsg.
//
// Node's dgram costs ~19 us of CPU per datagram here (a Buffer, an address object and a
// libuv wakeup per datagram received, several JS layers per send), more than the node
// code itself. This set registers every socket of a swarm with one epoll descriptor,
// which libuv polls as a single handle; when it is readable, one pass drains the ready
// sockets with recvmmsg into a receive area JS owns, and hands the whole batch to JS in
// one call: per datagram, four numbers in `meta` and the bytes in their slot.
//
// Source and destination addresses are interned as small integers (address ids), so no
// string crosses into or out of native code per datagram. The table is bounded: senders'
// addresses can be spoofed at will, so when it is full it is cleared, and a generation
// number in `state` tells JS that every id it cached before is void. A batch never mixes
// generations: the batch read so far is delivered before the table is cleared.
//
// Linux only (epoll, recvmmsg); elsewhere the addon does not export the class and the
// stress runs use dgram.
#include "udp_socket_set.h"

#include "napi_args.h"

#ifdef __linux__

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace kadswarm {
namespace {

// meta: four int32 per datagram received.
constexpr int kMetaFields = 4;  // socket index, length (-1: truncated), address id, port
constexpr int kReadyPerWait = 64;
constexpr int kPerSocketPerRound = 16;  // fairness: a busy socket cannot starve the others
constexpr int kMaxPerWakeup = 4096;     // then yield, so timers run between batches
constexpr int kReceiveBufferBytes = 4 << 20;
constexpr uint32_t kMaxAddressCapacity = 1u << 24;

class UdpSocketSet : public Napi::ObjectWrap<UdpSocketSet> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "UdpSocketSet",
                       {
                           InstanceMethod<&UdpSocketSet::Open>("open"),
                           InstanceMethod<&UdpSocketSet::AddressId>("addressId"),
                           InstanceMethod<&UdpSocketSet::AddressName>("addressName"),
                           InstanceMethod<&UdpSocketSet::AddressCount>("addressCount"),
                           InstanceMethod<&UdpSocketSet::Send>("send"),
                           InstanceMethod<&UdpSocketSet::CloseSocket>("closeSocket"),
                           InstanceMethod<&UdpSocketSet::ReceiveBufferBytes>("receiveBufferBytes"),
                           InstanceMethod<&UdpSocketSet::Close>("close"),
                       });
  }

  // new UdpSocketSet(onBatch: (count) => void, receive: Uint8Array, meta: Int32Array,
  //                  state: Int32Array, addressCapacity: number)
  explicit UdpSocketSet(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<UdpSocketSet>(info), context_(info.Env(), "kadswarm.UdpSocketSet") {
    Napi::Env env = info.Env();
    Napi::Function onBatch;
    Bytes receive;
    size_t metaLength;
    size_t stateLength;
    uint32_t capacity;
    if (!CheckArgumentCount(info, 5, "UdpSocketSet(onBatch, receive, meta, state, addressCapacity)") ||
        !GetFunction(info[0], "onBatch", &onBatch) || !GetUint8Array(info[1], "receive", &receive) ||
        !GetInt32Array(info[2], "meta", &meta_, &metaLength) || !GetInt32Array(info[3], "state", &state_, &stateLength) ||
        !GetIntegerIn(info[4], "addressCapacity", 1, kMaxAddressCapacity, &capacity)) {
      return;
    }
    if (metaLength < kMetaFields || metaLength % kMetaFields != 0) {
      ThrowRange(env, "meta must hold 4 ints per slot (got " + std::to_string(metaLength) + ")");
      return;
    }
    if (stateLength < 1) {
      ThrowRange(env, "state must hold at least 1 int");
      return;
    }
    slots_ = static_cast<int>(metaLength / kMetaFields);
    slotBytes_ = receive.length / slots_;
    if (slotBytes_ < 1) {
      ThrowRange(env, "receive is too small for its slots");
      return;
    }
    addressCapacity_ = capacity;
    state_[0] = 0;
    receive_ = const_cast<uint8_t*>(receive.data);
    receiveRef_ = Napi::Persistent(info[1].As<Napi::Object>());
    metaRef_ = Napi::Persistent(info[2].As<Napi::Object>());
    stateRef_ = Napi::Persistent(info[3].As<Napi::Object>());
    onBatch_ = Napi::Persistent(onBatch);
    headers_.resize(slots_);
    iovecs_.resize(slots_);
    names_.resize(slots_);
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) {
      ThrowErrno(env, errno, "epoll_create1");
      return;
    }
    napi_get_uv_event_loop(env, &loop_);
    napi_add_env_cleanup_hook(env, CleanupHook, this);
  }

  ~UdpSocketSet() override {
    Shutdown();
    napi_remove_env_cleanup_hook(Env(), CleanupHook, this);
  }

 private:
  static void CleanupHook(void* self) { static_cast<UdpSocketSet*>(self)->Shutdown(); }

  static void ThrowErrno(Napi::Env env, int error, const char* what) {
    const char* code = uv_err_name(uv_translate_sys_error(error));
    Napi::Error e = Napi::Error::New(env, std::string(what) + ": " + strerror(error));
    e.Set("code", Napi::String::New(env, code));
    e.ThrowAsJavaScriptException();
  }

  // Parses a numeric IPv4 or IPv6 address (no names: never a DNS lookup).
  static bool ParseHost(const std::string& host, sockaddr_storage* out) {
    std::memset(out, 0, sizeof(*out));
    auto* v4 = reinterpret_cast<sockaddr_in*>(out);
    if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
      v4->sin_family = AF_INET;
      return true;
    }
    auto* v6 = reinterpret_cast<sockaddr_in6*>(out);
    if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
      v6->sin6_family = AF_INET6;
      return true;
    }
    return false;
  }

  // Sets the port of an IPv4 or IPv6 address; returns the address's length for bind/sendto.
  static socklen_t SetPort(sockaddr_storage* address, int port) {
    uint16_t network = htons(static_cast<uint16_t>(port));
    if (address->ss_family == AF_INET) {
      reinterpret_cast<sockaddr_in*>(address)->sin_port = network;
      return sizeof(sockaddr_in);
    }
    reinterpret_cast<sockaddr_in6*>(address)->sin6_port = network;
    return sizeof(sockaddr_in6);
  }

  // The host part of an IPv4 or IPv6 address: its 4 or 16 raw bytes, inside `address`.
  static uint8_t* HostBytes(sockaddr_storage& address, size_t* length) {
    if (address.ss_family == AF_INET) {
      *length = sizeof(in_addr);
      return reinterpret_cast<uint8_t*>(&reinterpret_cast<sockaddr_in&>(address).sin_addr);
    }
    *length = sizeof(in6_addr);
    return reinterpret_cast<uint8_t*>(&reinterpret_cast<sockaddr_in6&>(address).sin6_addr);
  }
  static const uint8_t* HostBytes(const sockaddr_storage& address, size_t* length) {
    return HostBytes(const_cast<sockaddr_storage&>(address), length);
  }

  // Forgets every address: the table is full. JS sees the new generation and drops the ids it cached.
  void ResetAddresses() {
    addresses_.clear();
    ids_.clear();
    lastKey_.clear();
    lastId_ = -1;
    state_[0]++;
  }

  // The address id of the host part of `address` (its port ignored), added if new. The
  // caller makes room first (the table never holds more than addressCapacity_).
  int Intern(const sockaddr_storage& address) {
    size_t length;
    const uint8_t* bytes = HostBytes(address, &length);
    std::string key(reinterpret_cast<const char*>(bytes), length);
    if (key == lastKey_) return lastId_;  // nearly every datagram comes from the same host
    auto found = ids_.find(key);
    int id;
    if (found != ids_.end()) {
      id = found->second;
    } else {
      id = static_cast<int>(addresses_.size());
      sockaddr_storage host{};
      host.ss_family = address.ss_family;
      std::memcpy(HostBytes(host, &length), bytes, length);
      addresses_.push_back(host);
      ids_.emplace(key, id);
    }
    lastKey_ = key;
    lastId_ = id;
    return id;
  }

  // open(host, port) -> [index, boundPort]; throws an Error with .code on failure.
  Napi::Value Open(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string host;
    uint32_t port;
    if (!CheckArgumentCount(info, 2, "open(host, port)") || !GetString(info[0], "host", &host) ||
        !GetIntegerIn(info[1], "port", 0, 65535, &port)) {
      return env.Undefined();
    }
    if (epoll_ < 0) return ThrowErrno(env, EBADF, "socket set closed"), env.Undefined();
    sockaddr_storage address;
    if (!ParseHost(host, &address)) return ThrowErrno(env, EINVAL, "not a numeric IP address"), env.Undefined();
    socklen_t length = SetPort(&address, static_cast<int>(port));
    int fd = socket(address.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return ThrowErrno(env, errno, "socket"), env.Undefined();
    int on = 1;
    if (address.ss_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
      int error = errno;
      close(fd);
      return ThrowErrno(env, error, "bind"), env.Undefined();
    }
    // A bigger receive queue, as the dgram transport asks for (bursts at the entry node).
    int bytes = kReceiveBufferBytes;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
    sockaddr_storage bound;
    socklen_t boundLength = sizeof(bound);
    getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &boundLength);
    int boundPort = ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in&>(bound).sin_port
                                                      : reinterpret_cast<sockaddr_in6&>(bound).sin6_port);
    uint32_t index = static_cast<uint32_t>(fds_.size());
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u32 = index;
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event) != 0) {
      int error = errno;
      close(fd);
      return ThrowErrno(env, error, "epoll_ctl"), env.Undefined();
    }
    fds_.push_back(fd);
    if (!StartPolling(env)) return env.Undefined();
    Napi::Array result = Napi::Array::New(env, 2);
    result.Set(0u, Napi::Number::New(env, index));
    result.Set(1u, Napi::Number::New(env, boundPort));
    return result;
  }

  bool StartPolling(Napi::Env env) {
    if (poll_ != nullptr) return true;
    poll_ = new uv_poll_t;
    poll_->data = this;
    int status = uv_poll_init(loop_, poll_, epoll_);
    if (status == 0) status = uv_poll_start(poll_, UV_READABLE, OnReadable);
    if (status != 0) {
      uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
      poll_ = nullptr;
      ThrowErrno(env, -status, "uv_poll_start");
      return false;
    }
    Ref();  // JS may drop its last reference while sockets are open: the poll keeps us
    return true;
  }

  // addressId(host) -> id, or -1 when host is not a numeric IP address. May clear a full
  // table first (state[0] then changes).
  Napi::Value AddressId(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string host;
    if (!CheckArgumentCount(info, 1, "addressId(host)") || !GetString(info[0], "host", &host)) return env.Undefined();
    sockaddr_storage address;
    if (!ParseHost(host, &address)) return Napi::Number::New(env, -1);
    size_t length;
    const uint8_t* bytes = HostBytes(address, &length);
    bool known = ids_.count(std::string(reinterpret_cast<const char*>(bytes), length)) != 0;
    if (!known && addresses_.size() >= addressCapacity_) ResetAddresses();
    return Napi::Number::New(env, Intern(address));
  }

  // addressCount() -> addresses interned now (at most addressCapacity).
  Napi::Value AddressCount(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(addresses_.size()));
  }

  // addressName(id) -> the address as inet_ntop writes it ("127.0.0.1", "::1").
  Napi::Value AddressName(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint32_t id;
    if (!CheckArgumentCount(info, 1, "addressName(id)") || !GetCount(info[0], "id", &id)) return env.Undefined();
    if (id >= addresses_.size()) {
      ThrowRange(env, "unknown address id " + std::to_string(id));
      return env.Undefined();
    }
    char text[INET6_ADDRSTRLEN];
    const sockaddr_storage& a = addresses_[id];
    size_t length;
    inet_ntop(a.ss_family, HostBytes(a, &length), text, sizeof(text));
    return Napi::String::New(env, text);
  }

  // send(index, addressId, port, bytes) -> 0, or the errno of a failed send (never throws
  // for network errors: a node counts them and goes on).
  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint32_t index;
    uint32_t id;
    uint32_t port;
    Bytes bytes;
    if (!CheckArgumentCount(info, 4, "send(index, addressId, port, bytes)") || !GetCount(info[0], "index", &index) ||
        !GetCount(info[1], "addressId", &id) || !GetIntegerIn(info[2], "port", 0, 65535, &port) ||
        !GetUint8Array(info[3], "bytes", &bytes)) {
      return env.Undefined();
    }
    if (index >= fds_.size() || fds_[index] < 0) return Napi::Number::New(env, EBADF);
    if (id >= addresses_.size() || port == 0) return Napi::Number::New(env, EINVAL);
    sockaddr_storage to = addresses_[id];
    socklen_t length = SetPort(&to, static_cast<int>(port));
    ssize_t sent = sendto(fds_[index], bytes.data, bytes.length, 0, reinterpret_cast<sockaddr*>(&to), length);
    return Napi::Number::New(env, sent < 0 ? errno : 0);
  }

  Napi::Value CloseSocket(const Napi::CallbackInfo& info) {
    uint32_t index;
    if (!CheckArgumentCount(info, 1, "closeSocket(index)") || !GetCount(info[0], "index", &index)) {
      return info.Env().Undefined();
    }
    if (index < fds_.size() && fds_[index] >= 0) {
      epoll_ctl(epoll_, EPOLL_CTL_DEL, fds_[index], nullptr);
      close(fds_[index]);
      fds_[index] = -1;
    }
    return info.Env().Undefined();
  }

  Napi::Value ReceiveBufferBytes(const Napi::CallbackInfo& info) {
    uint32_t index;
    if (!CheckArgumentCount(info, 1, "receiveBufferBytes(index)") || !GetCount(info[0], "index", &index)) {
      return info.Env().Undefined();
    }
    int bytes = 0;
    socklen_t length = sizeof(bytes);
    if (index < fds_.size() && fds_[index] >= 0) getsockopt(fds_[index], SOL_SOCKET, SO_RCVBUF, &bytes, &length);
    return Napi::Number::New(info.Env(), bytes);
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Shutdown();
    return info.Env().Undefined();
  }

  // Closes every socket and the poll handle; safe to call more than once.
  void Shutdown() {
    for (int& fd : fds_) {
      if (fd >= 0) close(fd);
      fd = -1;
    }
    if (poll_ != nullptr) {
      uv_poll_stop(poll_);
      uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
      poll_ = nullptr;
      Unref();
    }
    if (epoll_ >= 0) close(epoll_);
    epoll_ = -1;
  }

  static void OnReadable(uv_poll_t* handle, int status, int /*events*/) {
    auto* self = static_cast<UdpSocketSet*>(handle->data);
    if (status < 0) return;
    self->Drain();
  }

  // Reads what the ready sockets hold, a batch of up to `slots_` datagrams per JS call.
  void Drain() {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    epoll_event ready[kReadyPerWait];
    int count = 0;
    int total = 0;
    while (epoll_ >= 0 && total < kMaxPerWakeup) {
      int n = epoll_wait(epoll_, ready, kReadyPerWait, 0);
      if (n <= 0) break;
      for (int r = 0; r < n && epoll_ >= 0; r++) {
        uint32_t index = ready[r].data.u32;
        if (index >= fds_.size() || fds_[index] < 0) continue;  // closed by a handler
        int want = std::min({kPerSocketPerRound, slots_ - count, static_cast<int>(addressCapacity_)});
        if (addresses_.size() + want > addressCapacity_) {
          // Room for every sender this read may bring, without mixing generations in a batch.
          if (count > 0) {
            total += count;
            Deliver(env, count);
            count = 0;
            if (index >= fds_.size() || fds_[index] < 0) continue;  // closed by a handler
          }
          ResetAddresses();
        }
        for (int j = 0; j < want; j++) {
          int slot = count + j;
          iovecs_[slot] = {receive_ + static_cast<size_t>(slot) * slotBytes_, slotBytes_};
          std::memset(&headers_[slot], 0, sizeof(mmsghdr));
          headers_[slot].msg_hdr.msg_iov = &iovecs_[slot];
          headers_[slot].msg_hdr.msg_iovlen = 1;
          headers_[slot].msg_hdr.msg_name = &names_[slot];
          headers_[slot].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
        }
        int got = recvmmsg(fds_[index], &headers_[count], want, MSG_DONTWAIT, nullptr);
        for (int j = 0; j < got; j++) {
          int slot = count + j;
          const sockaddr_storage& from = names_[slot];
          int32_t* m = meta_ + slot * kMetaFields;
          m[0] = static_cast<int32_t>(index);
          m[1] = (headers_[slot].msg_hdr.msg_flags & MSG_TRUNC) ? -1 : static_cast<int32_t>(headers_[slot].msg_len);
          m[2] = Intern(from);
          m[3] = ntohs(from.ss_family == AF_INET ? reinterpret_cast<const sockaddr_in&>(from).sin_port
                                                 : reinterpret_cast<const sockaddr_in6&>(from).sin6_port);
        }
        if (got > 0) count += got;
        if (count == slots_) {
          total += count;
          Deliver(env, count);
          count = 0;
        }
      }
    }
    if (count > 0) Deliver(env, count);
  }

  void Deliver(Napi::Env env, int count) {
    Napi::HandleScope scope(env);
    onBatch_.MakeCallback(Value(), {Napi::Number::New(env, count)}, context_);
    if (env.IsExceptionPending()) {
      // A throwing handler is an uncaught exception, as it would be from a dgram 'message' listener.
      napi_fatal_exception(env, env.GetAndClearPendingException().Value());
    }
  }

  Napi::AsyncContext context_;
  Napi::FunctionReference onBatch_;
  Napi::ObjectReference receiveRef_;
  Napi::ObjectReference metaRef_;
  Napi::ObjectReference stateRef_;
  uint8_t* receive_ = nullptr;
  int32_t* meta_ = nullptr;
  int32_t* state_ = nullptr;  // [0]: the address table's generation
  size_t addressCapacity_ = 0;
  int slots_ = 0;
  size_t slotBytes_ = 0;
  std::vector<mmsghdr> headers_;
  std::vector<iovec> iovecs_;
  std::vector<sockaddr_storage> names_;
  int epoll_ = -1;
  uv_loop_t* loop_ = nullptr;
  uv_poll_t* poll_ = nullptr;
  std::vector<int> fds_;
  std::vector<sockaddr_storage> addresses_;
  std::unordered_map<std::string, int> ids_;
  std::string lastKey_;
  int lastId_ = -1;
};

}  // namespace

void DefineUdpSocketSet(Napi::Env env, Napi::Object exports) {
  exports.Set("UdpSocketSet", UdpSocketSet::Define(env));
}

}  // namespace kadswarm

#else

namespace kadswarm {
void DefineUdpSocketSet(Napi::Env, Napi::Object) {}  // not Linux: stress runs use dgram
}  // namespace kadswarm

#endif
