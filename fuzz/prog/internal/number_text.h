// SPDX-License-Identifier: Apache-2.0
// Numbers in the text form: decimal or 0x-hex on input; on output, hex for address-like
// arguments and the seed, decimal for everything else (the canonical format, SYNTAX.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hvfuzz::prog::internal {

enum class NumberStatus : uint8_t { kOk, kMalformed, kOverflow };

// Decimal ("16") or hex ("0x10", "0X1f"). No sign, no separators. kOverflow above 2^64-1.
NumberStatus ParseNumber(std::string_view text, uint64_t* value);

// "0x1f" (lowercase, no leading zeros) or "31".
std::string FormatNumber(uint64_t value, bool hex);

// True for argument names that denote guest/host addresses or frame numbers: "gfn", "gpa",
// "hva", "hpa", "pfn", or any name ending in "_gfn", "_gpa", ... ("start_gfn").
bool PrintsInHex(std::string_view arg_name);

}  // namespace hvfuzz::prog::internal
