// SPDX-License-Identifier: Apache-2.0
#include "fuzz/prog/internal/number_text.h"

#include <array>
#include <cinttypes>
#include <cstdio>

namespace hvfuzz::prog::internal {
namespace {

int DigitValue(char c, int base) {
  int d = 99;
  if (c >= '0' && c <= '9') d = c - '0';
  if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
  if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
  return d < base ? d : -1;
}

}  // namespace

NumberStatus ParseNumber(std::string_view text, uint64_t* value) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty()) return NumberStatus::kMalformed;
  uint64_t v = 0;
  bool overflow = false;
  for (char c : text) {
    const int d = DigitValue(c, base);
    if (d < 0) return NumberStatus::kMalformed;
    if (v > (UINT64_MAX - d) / base) overflow = true;
    v = v * base + d;
  }
  if (overflow) return NumberStatus::kOverflow;
  *value = v;
  return NumberStatus::kOk;
}

std::string FormatNumber(uint64_t value, bool hex) {
  std::array<char, 24> buf;
  std::snprintf(buf.data(), buf.size(), hex ? "0x%" PRIx64 : "%" PRIu64, value);
  return buf.data();
}

bool PrintsInHex(std::string_view arg_name) {
  static constexpr std::array<std::string_view, 5> kAddressWords = {"gfn", "gpa", "hva", "hpa",
                                                                    "pfn"};
  for (std::string_view word : kAddressWords) {
    if (arg_name == word) return true;
    if (arg_name.size() > word.size() && arg_name.ends_with(word) &&
        arg_name[arg_name.size() - word.size() - 1] == '_') {
      return true;
    }
  }
  return false;
}

}  // namespace hvfuzz::prog::internal
