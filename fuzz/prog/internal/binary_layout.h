// SPDX-License-Identifier: Apache-2.0
// Pieces of the binary layout (binary_codec.h) shared by the decoder, the encoder and their
// tests: field sizes, the bounds-checked byte reader and the range reduction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace hvfuzz::prog::internal {

// Header bytes before the shape fields: threads, strategy, pct depth, fault.
inline constexpr size_t kFixedHeaderBytes = 4;
inline constexpr size_t kSeedBytes = 8;

// Bytes an argument whose maximum is `max` occupies in an op record.
constexpr size_t ArgWidth(uint32_t max) { return max <= 0xff ? 1 : max <= 0xffff ? 2 : 4; }

// min + v % (max - min + 1), in 32-bit arithmetic (the decoder's hot path: one per argument).
// Precondition: min <= max.
constexpr uint32_t InRange(uint32_t v, uint32_t min, uint32_t max) {
  const uint32_t span = max - min;
  return span == UINT32_MAX ? v : min + v % (span + 1);
}

// Reads a byte string front to back; never reads past its end.
class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  // False (and *b untouched) at the end of the input.
  bool Next(uint8_t* b) {
    if (pos_ >= data_.size()) return false;
    *b = data_[pos_++];
    return true;
  }
  // Up to `width` (<= 4) bytes little-endian; bytes missing at the end read as zero.
  uint32_t ReadLittleEndian(size_t width) {
    uint32_t v = 0;
    uint8_t b = 0;
    for (size_t i = 0; i < width && Next(&b); ++i) v |= static_cast<uint32_t>(b) << (8 * i);
    return v;
  }
  std::span<const uint8_t> Rest() const { return data_.subspan(pos_); }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

}  // namespace hvfuzz::prog::internal
