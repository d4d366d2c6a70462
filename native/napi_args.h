// Argument checks shared by every exported function. The messages match the pure-TS
// backend word for word, so both backends fail the same way on bad input.
#pragma once

#include <napi.h>

#include <string>

#include "id160.h"

namespace kadswarm {

struct Bytes {
  const uint8_t* data = nullptr;
  size_t length = 0;
};

inline bool ThrowType(Napi::Env env, const std::string& message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return false;
}

inline bool ThrowRange(Napi::Env env, const std::string& message) {
  Napi::RangeError::New(env, message).ThrowAsJavaScriptException();
  return false;
}

inline bool GetUint8Array(const Napi::Value& value, const char* name, Bytes* out) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    return ThrowType(value.Env(), std::string(name) + " must be a Uint8Array");
  }
  Napi::Uint8Array array = value.As<Napi::Uint8Array>();
  out->data = array.Data();
  out->length = array.ElementLength();
  return true;
}

inline bool GetId(const Napi::Value& value, const char* name, Bytes* out) {
  if (!GetUint8Array(value, name, out)) return false;
  if (out->length != kIdBytes) {
    return ThrowRange(value.Env(), std::string(name) + " must be 20 bytes (got " +
                                       std::to_string(out->length) + ")");
  }
  return true;
}

inline bool GetPackedIds(const Napi::Value& value, const char* name, Bytes* out) {
  if (!GetUint8Array(value, name, out)) return false;
  if (out->length % kIdBytes != 0) {
    return ThrowRange(value.Env(), std::string(name) + " length must be a multiple of 20 (got " +
                                       std::to_string(out->length) + ")");
  }
  return true;
}

inline bool GetCount(const Napi::Value& value, const char* name, uint32_t* out) {
  if (!value.IsNumber()) return ThrowType(value.Env(), std::string(name) + " must be an integer");
  double d = value.As<Napi::Number>().DoubleValue();
  if (d != static_cast<double>(static_cast<int64_t>(d))) {
    return ThrowType(value.Env(), std::string(name) + " must be an integer");
  }
  if (d < 0 || d > 4294967295.0) {
    return ThrowRange(value.Env(), std::string(name) + " must be between 0 and 4294967295");
  }
  *out = static_cast<uint32_t>(d);
  return true;
}

}  // namespace kadswarm
