#pragma once

#include <napi.h>

namespace kadswarm {

Napi::Value Noop(const Napi::CallbackInfo& info);
Napi::Value XorDistance(const Napi::CallbackInfo& info);
Napi::Value CommonPrefixLength(const Napi::CallbackInfo& info);
Napi::Value CommonPrefixLengths(const Napi::CallbackInfo& info);
Napi::Value Closest(const Napi::CallbackInfo& info);
Napi::Value ClosestInto(const Napi::CallbackInfo& info);
Napi::Value TableClosest(const Napi::CallbackInfo& info);
Napi::Value TableClosestIo(const Napi::CallbackInfo& info);
Napi::Value UseArena(const Napi::CallbackInfo& info);
Napi::Value BindIo(const Napi::CallbackInfo& info);

}  // namespace kadswarm
