// SPDX-License-Identifier: Apache-2.0
// prog_codec_fuzzer: the codec's own fuzz target (STYLE.md G11). Each input is used twice:
//   1. as binary: decoded under every slice's OpSet, and each program must be valid, contain
//      only that slice's ops, survive Encode/Decode, print, parse strictly back to itself, and
//      print to a fixed point;
//   2. as text: parsed strictly and leniently (lenient must succeed); every program a parse
//      returns must be valid and round-trip through Print the same way.
// A broken property is a harness bug: "hvfuzz: internal error:" and abort (STYLE.md G19).
// Built by the fuzzing CMake as a libFuzzer target and by prog_codec_fuzzer_test as a gtest.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/prog/binary_codec.h"
#include "fuzz/prog/text_codec.h"

namespace {

using hvfuzz::prog::Program;

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "hvfuzz: internal error: prog codec: %s\n%s\n", what, detail.c_str());
  std::abort();
}

// OpSet::All() followed by one OpSet per distinct slice name of the model.
const std::vector<hvfuzz::prog::DecodeOptions>& AllDecodeOptions() {
  static const auto* const options = [] {
    auto* out = new std::vector<hvfuzz::prog::DecodeOptions>(1);
    std::set<std::string_view> slices;
    for (const auto& spec : hvfuzz::model::Operations()) slices.insert(spec.slice);
    for (std::string_view slice : slices) {
      if (auto ops = hvfuzz::prog::OpSet::ForSlices(slice)) out->push_back({*ops});
    }
    return out;
  }();
  return *options;
}

// Valid, prints canonically, and parses strictly back to itself.
void CheckTextRoundTrip(const Program& p) {
  if (std::string error = hvfuzz::prog::Validate(p); !error.empty()) Fail("invalid program", error);
  const std::string text = hvfuzz::prog::Print(p);
  const auto parsed = hvfuzz::prog::Parse(text, hvfuzz::prog::ParseMode::kStrict, "print");
  if (!parsed.ok()) Fail("printed text does not parse", text + parsed.error->ToString());
  if (!(*parsed.program == p)) Fail("print/parse is not the identity", text);
  if (hvfuzz::prog::Print(*parsed.program) != text)
    Fail("canonical text is not a fixed point", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  for (const hvfuzz::prog::DecodeOptions& options : AllDecodeOptions()) {
    const Program p = hvfuzz::prog::Decode(bytes, options);
    if (!options.ops.ContainsAll(p)) Fail("decoded an op outside the slice", Print(p));
    CheckTextRoundTrip(p);
    if (!(hvfuzz::prog::Decode(hvfuzz::prog::Encode(p), options) == p)) {
      Fail("Decode(Encode(p)) != p", Print(p));
    }
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto strict = hvfuzz::prog::Parse(text, hvfuzz::prog::ParseMode::kStrict, "input");
  if (strict.ok()) CheckTextRoundTrip(*strict.program);
  const auto lenient = hvfuzz::prog::Parse(text, hvfuzz::prog::ParseMode::kLenient, "input");
  if (!lenient.ok()) Fail("lenient parse failed", lenient.error->ToString());
  CheckTextRoundTrip(*lenient.program);
  if (strict.ok() && !(*strict.program == *lenient.program)) {
    Fail("strict and lenient parses disagree", std::string(text));
  }
  return 0;
}
