// Whole-table closest-contacts query: one native call per routing-table lookup.
//
// Buckets are visited in distance order instead of sorting the table. With b0 the
// common prefix length of our id and the target: every contact in bucket b0 or deeper
// is closer to the target than any contact in a shallower bucket, and bucket b0-1 is
// closer than b0-2 and so on. Since buckets are stored in order, "b0 and deeper" is one
// contiguous run of slots at the end, and each shallower bucket is the run before it.
#include <algorithm>
#include <vector>

#include "distance.h"
#include "id160.h"
#include "napi_args.h"
#include "table_layout.h"

namespace kadswarm {

namespace {

bool GetUint32Array(const Napi::Value& value, const char* name, Napi::Uint32Array* out) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
    return ThrowType(value.Env(), std::string(name) + " must be a Uint32Array");
  }
  *out = value.As<Napi::Uint32Array>();
  return true;
}

// Offers slots [from, to) to `top`; false if a slot points outside the arena.
bool OfferSlots(const uint32_t* slots, uint32_t from, uint32_t to, const uint8_t* arena,
                uint32_t arenaCount, const Id160& target, TopK* top) {
  for (uint32_t s = from; s < to; s++) {
    uint32_t contact = slots[s];
    if (contact >= arenaCount) return false;
    const uint8_t* p = arena + static_cast<size_t>(contact) * kIdBytes;
    uint64_t hi = LoadBe64(p) ^ target.hi;
    if (top->Rejects(hi)) continue;
    top->Offer({hi, LoadBe64(p + 8) ^ target.mid, LoadBe32(p + 16) ^ target.lo}, contact);
  }
  return true;
}

}  // namespace

// tableClosest(arenaIds, tableWords, target, out) -> number of contact indices written
// to out (at most out.length), nearest first.
Napi::Value TableClosest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes arena, target;
  Napi::Uint32Array table, out;
  if (!GetPackedIds(info[0], "arenaIds", &arena) || !GetUint32Array(info[1], "table", &table) ||
      !GetId(info[2], "target", &target) || !GetUint32Array(info[3], "out", &out)) {
    return env.Undefined();
  }
  const uint32_t* words = table.Data();
  size_t tableLength = table.ElementLength();
  uint32_t arenaCount = static_cast<uint32_t>(arena.length / kIdBytes);
  if (tableLength < kTableHeaderWords || words[kTableSelfWord] >= arenaCount ||
      kTableHeaderWords + static_cast<size_t>(words[kTableSizeWord]) > tableLength) {
    ThrowRange(env, "table is corrupt");
    return env.Undefined();
  }
  const uint8_t* counts = reinterpret_cast<const uint8_t*>(words) + kTableCountsByte;
  const uint32_t* slots = words + kTableHeaderWords;
  uint32_t size = words[kTableSizeWord];

  Id160 t = Id160::Load(target.data);
  Id160 self = Id160::Load(arena.data + static_cast<size_t>(words[kTableSelfWord]) * kIdBytes);
  uint32_t b0 = (self ^ t).LeadingZeros();
  uint32_t start = 0;
  for (uint32_t b = 0; b < std::min(b0, kTableBuckets); b++) start += counts[b];
  if (start > size) {
    ThrowRange(env, "table is corrupt");
    return env.Undefined();
  }

  uint32_t wanted = static_cast<uint32_t>(out.ElementLength());
  Id160 stackKeys[64];
  std::vector<Id160> heapKeys;
  Id160* keys = stackKeys;
  if (wanted > 64) {
    heapKeys.resize(wanted);
    keys = heapKeys.data();
  }
  uint32_t* result = out.Data();

  TopK near(keys, result, wanted);
  bool ok = OfferSlots(slots, start, size, arena.data, arenaCount, t, &near);
  uint32_t written = near.Size();
  uint32_t end = start;
  for (int b = static_cast<int>(std::min(b0, kTableBuckets)) - 1; ok && b >= 0 && written < wanted;
       b--) {
    uint32_t from = end - counts[b];
    TopK group(keys + written, result + written, wanted - written);
    ok = OfferSlots(slots, from, end, arena.data, arenaCount, t, &group);
    written += group.Size();
    end = from;
  }
  if (!ok) {
    ThrowRange(env, "table is corrupt");
    return env.Undefined();
  }
  return Napi::Number::New(env, written);
}

}  // namespace kadswarm
