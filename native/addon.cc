// Module entry: registers the exported functions. Everything here is stateless, so the
// addon is safe to load in worker threads.
#include <napi.h>

#include "distance.h"

namespace kadswarm {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("noop", Napi::Function::New(env, Noop, "noop"));
  exports.Set("xorDistance", Napi::Function::New(env, XorDistance, "xorDistance"));
  exports.Set("commonPrefixLength", Napi::Function::New(env, CommonPrefixLength, "commonPrefixLength"));
  exports.Set("commonPrefixLengths", Napi::Function::New(env, CommonPrefixLengths, "commonPrefixLengths"));
  exports.Set("closest", Napi::Function::New(env, Closest, "closest"));
  exports.Set("tableClosest", Napi::Function::New(env, TableClosest, "tableClosest"));
  return exports;
}

}  // namespace kadswarm

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  return kadswarm::Init(env, exports);
}

NODE_API_MODULE(kadswarm, InitModule)
