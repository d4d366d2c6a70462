// Memory layout of one routing table, shared with native/table_layout.h. The distance
// engines own it because their tableClosest scans it; the routing table fills it.
// A table is one Uint32Array so that the native query reads it in a single call:
//   word 0: arena index of the table's own contact
//   word 1: number of contacts in the table
//   words 2-3: reserved
//   bytes 16..175: contacts per bucket (bucket b = common prefix length with our id)
//   words 44..: contact indices, bucket 0 first; inside a bucket least-recently-seen first
export const TABLE_SELF_WORD = 0;
export const TABLE_SIZE_WORD = 1;
export const TABLE_COUNTS_BYTE = 16;
export const TABLE_BUCKETS = 160;
export const TABLE_HEADER_WORDS = 44;
