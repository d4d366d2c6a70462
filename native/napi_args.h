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

// One napi_get_typedarray_info call per argument: it rejects non-typed-arrays itself and
// returns the element count and a data pointer already adjusted for byteOffset.
inline bool GetTypedArray(const Napi::Value& value, napi_typedarray_type want, const char* name,
                          const char* typePhrase, void** data, size_t* length) {
  napi_typedarray_type type;
  napi_value arrayBuffer;
  size_t byteOffset;
  napi_status status =
      napi_get_typedarray_info(value.Env(), value, &type, length, data, &arrayBuffer, &byteOffset);
  if (status != napi_ok || type != want) {
    return ThrowType(value.Env(), std::string(name) + " must be " + typePhrase);
  }
  return true;
}

inline bool GetUint8Array(const Napi::Value& value, const char* name, Bytes* out) {
  void* data;
  if (!GetTypedArray(value, napi_uint8_array, name, "a Uint8Array", &data, &out->length)) return false;
  out->data = static_cast<const uint8_t*>(data);
  return true;
}

struct Words {
  uint32_t* data = nullptr;
  size_t length = 0;
};

inline bool GetUint32Array(const Napi::Value& value, const char* name, Words* out) {
  void* data;
  if (!GetTypedArray(value, napi_uint32_array, name, "a Uint32Array", &data, &out->length)) {
    return false;
  }
  out->data = static_cast<uint32_t*>(data);
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

// An integer in [min, max] (a socket index, an address id, a port, a capacity).
inline bool GetIntegerIn(const Napi::Value& value, const char* name, uint32_t min, uint32_t max, uint32_t* out) {
  if (!GetCount(value, name, out)) return false;
  if (*out < min || *out > max) {
    return ThrowRange(value.Env(), std::string(name) + " must be between " + std::to_string(min) + " and " +
                                       std::to_string(max) + " (got " + std::to_string(*out) + ")");
  }
  return true;
}

inline bool GetString(const Napi::Value& value, const char* name, std::string* out) {
  if (!value.IsString()) return ThrowType(value.Env(), std::string(name) + " must be a string");
  *out = value.As<Napi::String>().Utf8Value();
  return true;
}

inline bool GetFunction(const Napi::Value& value, const char* name, Napi::Function* out) {
  if (!value.IsFunction()) return ThrowType(value.Env(), std::string(name) + " must be a function");
  *out = value.As<Napi::Function>();
  return true;
}

inline bool GetInt32Array(const Napi::Value& value, const char* name, int32_t** data, size_t* length) {
  void* raw;
  if (!GetTypedArray(value, napi_int32_array, name, "an Int32Array", &raw, length)) return false;
  *data = static_cast<int32_t*>(raw);
  return true;
}

// Exactly `count` arguments: a call with fewer or more is a mistake in the caller, not a
// value to guess at.
inline bool CheckArgumentCount(const Napi::CallbackInfo& info, size_t count, const char* signature) {
  if (info.Length() == count) return true;
  return ThrowType(info.Env(), std::string(signature) + " takes " + std::to_string(count) + " argument" +
                                   (count == 1 ? "" : "s") + " (got " + std::to_string(info.Length()) + ")");
}

}  // namespace kadswarm
