// SPDX-License-Identifier: Apache-2.0
// The fixed words of the text form, shared by the printer and the parser (SYNTAX.md).
#pragma once

#include <array>
#include <string_view>

namespace hvfuzz::prog::internal {

inline constexpr std::string_view kVersionLine = "# hvfuzz-prog v1";
inline constexpr std::string_view kVersionPrefix = "hvfuzz-prog";
inline constexpr std::string_view kScheduleKey = "schedule:";
// The per-call fault point on an op line, after the arguments; printed only when non-zero.
// No operation has an argument of this name (operations_test checks).
inline constexpr std::string_view kOpFailKey = "fail";

// Header keys, in canonical order: "# <key>: <value>".
enum class HeaderKey : int { kThreads, kSeed, kStrategy, kShape, kFault };
inline constexpr std::array<std::string_view, 5> kHeaderKeys = {"threads", "seed", "strategy",
                                                                "shape", "fault"};

}  // namespace hvfuzz::prog::internal
