// Module entry: registers the exported functions and classes. All state (the registered
// arena and io buffer of tableClosestIo, each socket set) is per environment, so worker
// threads are safe.
#include <napi.h>

#include "distance.h"
#include "udp_socket_set.h"

namespace kadswarm {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("noop", Napi::Function::New(env, Noop, "noop"));
  exports.Set("xorDistance", Napi::Function::New(env, XorDistance, "xorDistance"));
  exports.Set("commonPrefixLength", Napi::Function::New(env, CommonPrefixLength, "commonPrefixLength"));
  exports.Set("commonPrefixLengths", Napi::Function::New(env, CommonPrefixLengths, "commonPrefixLengths"));
  exports.Set("closest", Napi::Function::New(env, Closest, "closest"));
  exports.Set("closestInto", Napi::Function::New(env, ClosestInto, "closestInto"));
  exports.Set("tableClosest", Napi::Function::New(env, TableClosest, "tableClosest"));
  exports.Set("tableClosestIo", Napi::Function::New(env, TableClosestIo, "tableClosestIo"));
  exports.Set("useArena", Napi::Function::New(env, UseArena, "useArena"));
  exports.Set("bindIo", Napi::Function::New(env, BindIo, "bindIo"));
  DefineUdpSocketSet(env, exports);
  return exports;
}

}  // namespace kadswarm

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  return kadswarm::Init(env, exports);
}

NODE_API_MODULE(kadswarm, InitModule)
