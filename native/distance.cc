// Pairwise and batch XOR-distance primitives over 160-bit ids.
#include "distance.h"

#include <algorithm>
#include <vector>

#include "id160.h"
#include "napi_args.h"

namespace kadswarm {

namespace {

// Above this k, insertion into a sorted top-k costs more than sorting every candidate.
constexpr uint32_t kInsertionTopKLimit = 64;

struct Candidate {
  Id160 distance;
  uint32_t index;
  bool operator<(const Candidate& o) const {
    if (distance < o.distance) return true;
    if (o.distance < distance) return false;
    return index < o.index;
  }
};

void ClosestBySelection(const Id160& target, const uint8_t* ids, uint32_t n, uint32_t k,
                        uint32_t* out) {
  std::vector<Id160> keys(k);
  TopK top(keys.data(), out, k);
  for (uint32_t i = 0; i < n; i++) {
    const uint8_t* p = ids + static_cast<size_t>(i) * kIdBytes;
    uint64_t hi = LoadBe64(p) ^ target.hi;
    if (top.Rejects(hi)) continue;
    top.Offer({hi, LoadBe64(p + 8) ^ target.mid, LoadBe32(p + 16) ^ target.lo}, i);
  }
}

void ClosestBySorting(const Id160& target, const uint8_t* ids, uint32_t n, uint32_t k,
                      uint32_t* out) {
  std::vector<Candidate> all(n);
  for (uint32_t i = 0; i < n; i++) {
    all[i] = {Id160::Load(ids + static_cast<size_t>(i) * kIdBytes) ^ target, i};
  }
  std::partial_sort(all.begin(), all.begin() + k, all.end());
  for (uint32_t i = 0; i < k; i++) out[i] = all[i].index;
}

}  // namespace

// Baseline for the benchmark: the cost of crossing into native code and back.
Napi::Value Noop(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

Napi::Value XorDistance(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes a, b;
  if (!GetId(info[0], "a", &a) || !GetId(info[1], "b", &b)) return env.Undefined();
  Napi::Uint8Array result = Napi::Uint8Array::New(env, kIdBytes);
  uint8_t* r = result.Data();
  for (size_t i = 0; i < kIdBytes; i++) r[i] = a.data[i] ^ b.data[i];
  return result;
}

Napi::Value CommonPrefixLength(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes a, b;
  if (!GetId(info[0], "a", &a) || !GetId(info[1], "b", &b)) return env.Undefined();
  uint32_t cpl = (Id160::Load(a.data) ^ Id160::Load(b.data)).LeadingZeros();
  return Napi::Number::New(env, cpl);
}

// commonPrefixLengths(id, packedIds, out): out[i] = commonPrefixLength(id, packedIds[i]).
Napi::Value CommonPrefixLengths(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes id, ids, out;
  if (!GetId(info[0], "id", &id) || !GetPackedIds(info[1], "packedIds", &ids) ||
      !GetUint8Array(info[2], "out", &out)) {
    return env.Undefined();
  }
  size_t n = ids.length / kIdBytes;
  if (out.length < n) {
    ThrowRange(env, "out must hold at least " + std::to_string(n) + " entries (got " +
                        std::to_string(out.length) + ")");
    return env.Undefined();
  }
  Id160 self = Id160::Load(id.data);
  uint8_t* o = const_cast<uint8_t*>(out.data);
  for (size_t i = 0; i < n; i++) {
    const uint8_t* p = ids.data + i * kIdBytes;
    uint64_t hi = LoadBe64(p) ^ self.hi;
    // Random ids almost always differ in the first word: one load, one clz.
    o[i] = hi ? static_cast<uint8_t>(__builtin_clzll(hi))
              : static_cast<uint8_t>((Id160::Load(p) ^ self).LeadingZeros());
  }
  return info[2];
}

namespace {

void ClosestIndices(const Bytes& target, const Bytes& ids, uint32_t count, uint32_t* out) {
  uint32_t n = static_cast<uint32_t>(ids.length / kIdBytes);
  if (count == 0) return;
  Id160 t = Id160::Load(target.data);
  if (count <= kInsertionTopKLimit) {
    ClosestBySelection(t, ids.data, n, count, out);
  } else {
    ClosestBySorting(t, ids.data, n, count, out);
  }
}

}  // namespace

// closest(target, packedIds, k) -> a new Uint32Array of the min(k, n) nearest indices,
// nearest first, ties by lower index.
Napi::Value Closest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes target, ids;
  uint32_t k;
  if (!GetId(info[0], "target", &target) || !GetPackedIds(info[1], "packedIds", &ids) ||
      !GetCount(info[2], "k", &k)) {
    return env.Undefined();
  }
  uint32_t count = std::min(k, static_cast<uint32_t>(ids.length / kIdBytes));
  Napi::Uint32Array result = Napi::Uint32Array::New(env, count);
  ClosestIndices(target, ids, count, result.Data());
  return result;
}

// closestInto(target, packedIds, out) -> out, filled with the out.length nearest indices;
// out.length must be min(k, n). Lets JS allocate the result cheaply (see result-pool.ts).
Napi::Value ClosestInto(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes target, ids;
  Words out;
  if (!GetId(info[0], "target", &target) || !GetPackedIds(info[1], "packedIds", &ids) ||
      !GetUint32Array(info[2], "out", &out)) {
    return env.Undefined();
  }
  if (out.length > ids.length / kIdBytes) {
    ThrowRange(env, "out is longer than the number of ids");
    return env.Undefined();
  }
  ClosestIndices(target, ids, static_cast<uint32_t>(out.length), out.data);
  return info[2];
}

}  // namespace kadswarm
