// Whole-table closest-contacts query: one native call per routing-table lookup.
//
// Buckets are visited in distance order instead of sorting the table. With b0 the
// common prefix length of our id and the target, XOR distances fall in three tiers:
//   1. bucket b0: shares bit b0 with the target, so it is closer than anything else;
//   2. buckets deeper than b0: all differ from the target first at bit b0 (one tier);
//   3. bucket b0-1, then b0-2, ... 0: each strictly farther than the one before.
// Buckets are stored in order, so each tier is one contiguous run of slots, and most
// queries stop after tier 1 (for a random target b0 = 0 half the time: bucket 0).
//
// Call cost matters more than the work here (~40 ns per typed-array argument against
// ~100 ns of work), so the hot entry point `tableClosestIo` takes only the table: the
// contact arena and an I/O buffer (target in, results out) are registered beforehand.
#include <algorithm>
#include <vector>

#include "distance.h"
#include "id160.h"
#include "napi_args.h"
#include "table_layout.h"

namespace kadswarm {

namespace {

// io buffer layout (Uint32Array): words 0-4 target id bytes, word 5 wanted count,
// words 8.. results.
constexpr uint32_t kIoCountWord = 5;
constexpr uint32_t kIoResultsWord = 8;

struct QueryState {
  const uint8_t* arena = nullptr;
  size_t arenaBytes = 0;
  uint32_t* io = nullptr;
  size_t ioWords = 0;
};

QueryState* State(Napi::Env env) {
  QueryState* state = env.GetInstanceData<QueryState>();
  if (state == nullptr) {
    state = new QueryState();
    env.SetInstanceData(state);  // freed by node-addon-api when the environment goes
  }
  return state;
}

struct Candidate {
  uint64_t hi;    // first 64 bits of the XOR distance: decides nearly every comparison
  uint32_t slot;  // position in the table: ties keep table order
  uint32_t contact;
};

enum class QueryResult { kOk, kCorrupt };

// Exact order: distance, then table order. Used when packed keys cannot decide.
void SortExact(Candidate* c, uint32_t n, uint32_t take, const uint8_t* arena, const Id160& t) {
  auto less = [&](const Candidate& a, const Candidate& b) {
    if (a.hi != b.hi) return a.hi < b.hi;
    Id160 da = Id160::Load(arena + static_cast<size_t>(a.contact) * kIdBytes) ^ t;
    Id160 db = Id160::Load(arena + static_cast<size_t>(b.contact) * kIdBytes) ^ t;
    if (da < db) return true;
    if (db < da) return false;
    return a.slot < b.slot;
  };
  std::partial_sort(c, c + take, c + n, less);
}

// Sorts one tier's candidates and writes the best `room` contacts to out.
//
// Fast path: each candidate becomes one uint64, its distance's top 56 bits above its
// tier-local position, so a plain integer sort orders them. That is exact unless two
// candidates that matter share those 56 bits (about 1 in 2^50 for random ids); then
// the exact comparator sorts the tier instead.
uint32_t TakeTier(Candidate* c, uint32_t n, uint32_t room, const uint8_t* arena, const Id160& t,
                  uint32_t* out) {
  uint32_t take = std::min(n, room);
  if (take == 0) return 0;
  if (n <= 256) {
    uint64_t keys[256];
    for (uint32_t i = 0; i < n; i++) keys[i] = (c[i].hi & ~uint64_t{0xff}) | i;
    if (take < n) {
      std::partial_sort(keys, keys + take, keys + n);
    } else {
      std::sort(keys, keys + n);
    }
    bool exact = true;
    for (uint32_t i = 1; i < take && exact; i++) exact = (keys[i] >> 8) != (keys[i - 1] >> 8);
    uint64_t boundary = keys[take - 1] >> 8;
    for (uint32_t i = take; i < n && exact; i++) exact = (keys[i] >> 8) != boundary;
    if (exact) {
      for (uint32_t i = 0; i < take; i++) out[i] = c[keys[i] & 0xff].contact;
      return take;
    }
  }
  SortExact(c, n, take, arena, t);
  for (uint32_t i = 0; i < take; i++) out[i] = c[i].contact;
  return take;
}

// The query proper; `*written` contacts go to out, nearest first.
QueryResult QueryTable(const uint8_t* arena, size_t arenaBytes, const uint32_t* words,
                       size_t tableWords, const uint8_t* target, uint32_t* out, uint32_t wanted,
                       uint32_t* written) {
  *written = 0;
  uint32_t arenaCount = static_cast<uint32_t>(arenaBytes / kIdBytes);
  if (tableWords < kTableHeaderWords || words[kTableSelfWord] >= arenaCount ||
      kTableHeaderWords + static_cast<size_t>(words[kTableSizeWord]) > tableWords) {
    return QueryResult::kCorrupt;
  }
  const uint8_t* counts = reinterpret_cast<const uint8_t*>(words) + kTableCountsByte;
  const uint32_t* slots = words + kTableHeaderWords;
  uint32_t size = words[kTableSizeWord];
  Id160 t = Id160::Load(target);
  Id160 self = Id160::Load(arena + static_cast<size_t>(words[kTableSelfWord]) * kIdBytes);
  uint32_t b0 = std::min((self ^ t).LeadingZeros(), kTableBuckets);
  uint32_t start = 0;
  for (uint32_t b = 0; b < b0; b++) start += counts[b];
  uint32_t b0End = b0 < kTableBuckets ? start + counts[b0] : start;
  if (b0End > size) return QueryResult::kCorrupt;

  Candidate stackCandidates[256];
  std::vector<Candidate> heapCandidates;
  Candidate* candidates = stackCandidates;
  if (size > 256) {
    heapCandidates.resize(size);
    candidates = heapCandidates.data();
  }
  uint32_t done = 0;
  auto tier = [&](uint32_t from, uint32_t to) {
    uint32_t n = 0;
    for (uint32_t s = from; s < to; s++) {
      uint32_t contact = slots[s];
      if (contact >= arenaCount) return false;
      candidates[n++] = {LoadBe64(arena + static_cast<size_t>(contact) * kIdBytes) ^ t.hi, s, contact};
    }
    done += TakeTier(candidates, n, wanted - done, arena, t, out + done);
    return true;
  };
  if (wanted == 0) return QueryResult::kOk;
  if (!tier(start, b0End)) return QueryResult::kCorrupt;
  if (done < wanted && !tier(b0End, size)) return QueryResult::kCorrupt;
  uint32_t end = start;
  for (int b = static_cast<int>(b0) - 1; b >= 0 && done < wanted; b--) {
    uint32_t from = end - counts[b];
    if (!tier(from, end)) return QueryResult::kCorrupt;
    end = from;
  }
  *written = done;
  return QueryResult::kOk;
}

Napi::Value Corrupt(Napi::Env env) {
  ThrowRange(env, "table is corrupt");
  return env.Undefined();
}

}  // namespace

// tableClosest(arenaIds, table, target, out) -> number of contact indices written to out
// (at most out.length), nearest first. The general entry point.
Napi::Value TableClosest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes arena, target;
  Words table, out;
  if (!GetPackedIds(info[0], "arenaIds", &arena) || !GetUint32Array(info[1], "table", &table) ||
      !GetId(info[2], "target", &target) || !GetUint32Array(info[3], "out", &out)) {
    return env.Undefined();
  }
  uint32_t written;
  if (QueryTable(arena.data, arena.length, table.data, table.length, target.data, out.data,
                 static_cast<uint32_t>(out.length), &written) != QueryResult::kOk) {
    return Corrupt(env);
  }
  return Napi::Number::New(env, written);
}

// useArena(arenaIds): the contact arena that tableClosestIo reads. The caller keeps the
// array alive while it is in use and calls again whenever the arena is reallocated.
Napi::Value UseArena(const Napi::CallbackInfo& info) {
  Bytes arena;
  if (!GetPackedIds(info[0], "arenaIds", &arena)) return info.Env().Undefined();
  QueryState* state = State(info.Env());
  state->arena = arena.data;
  state->arenaBytes = arena.length;
  return info.Env().Undefined();
}

// bindIo(io): the Uint32Array that tableClosestIo reads its target and count from and
// writes its results to. The caller keeps it alive for the life of the process.
Napi::Value BindIo(const Napi::CallbackInfo& info) {
  Words io;
  if (!GetUint32Array(info[0], "io", &io)) return info.Env().Undefined();
  if (io.length < kIoResultsWord) {
    ThrowRange(info.Env(), "io must hold at least 8 words");
    return info.Env().Undefined();
  }
  QueryState* state = State(info.Env());
  state->io = io.data;
  state->ioWords = io.length;
  return info.Env().Undefined();
}

// tableClosestIo(table) -> count: the query with the target and count taken from the io
// buffer and the results written back to it (see the io layout above).
Napi::Value TableClosestIo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Words table;
  if (!GetUint32Array(info[0], "table", &table)) return env.Undefined();
  QueryState* state = State(env);
  if (state->io == nullptr || state->arena == nullptr) {
    Napi::Error::New(env, "tableClosestIo needs bindIo and useArena first").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  uint32_t wanted = state->io[kIoCountWord];
  if (wanted > state->ioWords - kIoResultsWord) {
    ThrowRange(env, "count exceeds the io buffer");
    return env.Undefined();
  }
  uint8_t target[kIdBytes];
  std::memcpy(target, state->io, kIdBytes);
  uint32_t written;
  if (QueryTable(state->arena, state->arenaBytes, table.data, table.length, target,
                 state->io + kIoResultsWord, wanted, &written) != QueryResult::kOk) {
    return Corrupt(env);
  }
  return Napi::Number::New(env, written);
}

}  // namespace kadswarm
