// Memory layout of one routing table, shared with src/distance/table-layout.ts.
// The table lives in a JS-owned Uint32Array so TS does the (rare) mutations and
// native code does the (hot) whole-table query in one call:
//   word 0: arena index of the table's own contact
//   word 1: number of contacts in the table
//   words 2-3: reserved
//   bytes 16..175: contacts per bucket, bucket b = common prefix length with our id
//   words 44..: contact indices, bucket 0 first; inside a bucket least-recently-seen first
#pragma once

#include <cstdint>

namespace kadswarm {

constexpr uint32_t kTableSelfWord = 0;
constexpr uint32_t kTableSizeWord = 1;
constexpr uint32_t kTableCountsByte = 16;
constexpr uint32_t kTableBuckets = 160;
constexpr uint32_t kTableHeaderWords = 44;

}  // namespace kadswarm
