// 160-bit Kademlia ids as three big-endian words, so that XOR distances compare as
// (hi, mid, lo) tuples with plain integer comparisons instead of byte loops.
#pragma once

#include <cstdint>
#include <cstring>

namespace kadswarm {

constexpr size_t kIdBytes = 20;
constexpr uint32_t kIdBits = 160;

inline uint64_t LoadBe64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_bswap64(v);
}

inline uint32_t LoadBe32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_bswap32(v);
}

// An id, or an XOR distance, split into words that compare in id order.
struct Id160 {
  uint64_t hi;
  uint64_t mid;
  uint32_t lo;

  static Id160 Load(const uint8_t* p) { return {LoadBe64(p), LoadBe64(p + 8), LoadBe32(p + 16)}; }

  Id160 operator^(const Id160& o) const { return {hi ^ o.hi, mid ^ o.mid, lo ^ o.lo}; }

  bool operator<(const Id160& o) const {
    if (hi != o.hi) return hi < o.hi;
    if (mid != o.mid) return mid < o.mid;
    return lo < o.lo;
  }

  // Number of leading zero bits, 160 when every bit is zero.
  uint32_t LeadingZeros() const {
    if (hi) return static_cast<uint32_t>(__builtin_clzll(hi));
    if (mid) return 64 + static_cast<uint32_t>(__builtin_clzll(mid));
    if (lo) return 128 + static_cast<uint32_t>(__builtin_clz(lo));
    return kIdBits;
  }
};

// Keeps the `capacity` smallest (distance, index) pairs seen so far, sorted ascending.
// Ties on distance keep the element offered first, so scanning in index order yields
// "lower index first". Capacity is small (k ~ 20), so insertion into a sorted array
// beats a heap, and `Rejects` lets the caller skip most candidates on one word.
class TopK {
 public:
  TopK(Id160* keys, uint32_t* indices, uint32_t capacity)
      : keys_(keys), indices_(indices), capacity_(capacity) {}

  bool Full() const { return size_ == capacity_; }
  uint32_t Size() const { return size_; }
  // Cheap pre-filter: true when a distance with this top word can never enter.
  bool Rejects(uint64_t hi) const {
    return size_ == capacity_ && (capacity_ == 0 || hi > keys_[size_ - 1].hi);
  }

  void Offer(const Id160& distance, uint32_t index) {
    if (capacity_ == 0) return;
    if (size_ == capacity_) {
      if (!(distance < keys_[size_ - 1])) return;
      size_--;
    }
    uint32_t pos = size_;
    while (pos > 0 && distance < keys_[pos - 1]) {
      keys_[pos] = keys_[pos - 1];
      indices_[pos] = indices_[pos - 1];
      pos--;
    }
    keys_[pos] = distance;
    indices_[pos] = index;
    size_++;
  }

 private:
  Id160* keys_;
  uint32_t* indices_;
  uint32_t capacity_;
  uint32_t size_ = 0;
};

}  // namespace kadswarm
