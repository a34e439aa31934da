// SPDX-License-Identifier: Apache-2.0
// hvfuzz_fuzz_assets_tool: writes the generated assets of fuzz targets (fuzz_assets.h).
//   hvfuzz_fuzz_assets_tool write DIR NAME...   DIR/NAME.dict and DIR/NAME.options per fuzzer
//   hvfuzz_fuzz_assets_tool dict NAME           the dictionary on stdout
//   hvfuzz_fuzz_assets_tool options NAME        the options file on stdout
//   hvfuzz_fuzz_assets_tool seed NAME IN.hvp OUT.bin
//                                               a text seed (strict parse) as NAME runs it:
//                                               ops of other slices removed (each named in a
//                                               note on stderr), then encoded (binary_codec.h)
// NAME is a fuzzer's name (memslots_fuzzer, ..., vm_fuzzer, prog_codec_fuzzer). Files are
// written whole (to NAME.tmp, then renamed), so a failed run never leaves half a file.
// Exit status: 0 done, 2 usage, unknown fuzzer or a file that cannot be written.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <utility>

#include "fuzz/prog/binary_codec.h"
#include "fuzz/prog/text_codec.h"
#include "targets/assets/fuzz_assets.h"

namespace {

using hvfuzz::targets::FuzzerKind;

bool Assets(const std::string& name, std::string* dict, std::string* options) {
  std::optional<FuzzerKind> kind = hvfuzz::targets::KindOfFuzzer(name);
  if (!kind.has_value()) {
    std::fprintf(stderr, "hvfuzz: unknown fuzzer '%s' (want <slice>_fuzzer or prog_codec_fuzzer)\n",
                 name.c_str());
    return false;
  }
  std::vector<hvfuzz::targets::DictEntry> entries = hvfuzz::targets::BinaryDictionary(kind->ops);
  size_t max_len = hvfuzz::targets::MaxUsefulInputLength(kind->ops);
  if (kind->text) {
    for (auto& e : hvfuzz::targets::TextDictionary()) entries.push_back(std::move(e));
    max_len = std::max(max_len, hvfuzz::targets::MaxUsefulTextLength());
  }
  *dict = hvfuzz::targets::RenderDictionary(name, entries);
  *options = hvfuzz::targets::RenderOptions(name, max_len);
  return true;
}

bool WriteWhole(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.good()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

int Seed(const std::string& name, const char* in_path, const char* out_path) {
  std::optional<FuzzerKind> kind = hvfuzz::targets::KindOfFuzzer(name);
  if (!kind.has_value()) {
    std::fprintf(stderr, "hvfuzz: unknown fuzzer '%s'\n", name.c_str());
    return 2;
  }
  std::ifstream in(in_path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "hvfuzz: %s: cannot open\n", in_path);
    return 2;
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  hvfuzz::prog::ParseResult r = hvfuzz::prog::Parse(text, hvfuzz::prog::ParseMode::kStrict, in_path);
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.error->ToString().c_str());
    return 2;
  }
  std::vector<std::string> dropped;
  const hvfuzz::prog::Program p = hvfuzz::targets::RestrictToOps(*r.program, kind->ops, &dropped);
  if (!dropped.empty()) {
    std::string names;
    for (const std::string& d : dropped) names += (names.empty() ? "" : ", ") + d;
    std::fprintf(stderr, "hvfuzz: note: %s: %zu op(s) outside %s's slice left out of its seed: %s\n",
                 in_path, dropped.size(), name.c_str(), names.c_str());
  }
  const std::vector<uint8_t> bytes = hvfuzz::prog::Encode(p);
  if (!WriteWhole(out_path, std::string(bytes.begin(), bytes.end()))) {
    std::fprintf(stderr, "hvfuzz: %s: cannot write\n", out_path);
    return 2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "write" && argc >= 4) {
    const std::filesystem::path dir = argv[2];
    for (int i = 3; i < argc; ++i) {
      std::string dict, options;
      if (!Assets(argv[i], &dict, &options)) return 2;
      for (const auto& [file, text] : {std::pair{dir / (std::string(argv[i]) + ".dict"), dict},
                                       std::pair{dir / (std::string(argv[i]) + ".options"), options}}) {
        if (!WriteWhole(file, text)) {
          std::fprintf(stderr, "hvfuzz: %s: cannot write\n", file.c_str());
          return 2;
        }
      }
    }
    return 0;
  }
  if (cmd == "seed" && argc == 5) return Seed(argv[2], argv[3], argv[4]);
  if ((cmd == "dict" || cmd == "options") && argc == 3) {
    std::string dict, options;
    if (!Assets(argv[2], &dict, &options)) return 2;
    std::fputs(cmd == "dict" ? dict.c_str() : options.c_str(), stdout);
    return 0;
  }
  std::fprintf(stderr,
               "usage: %s write DIR NAME... | dict NAME | options NAME | seed NAME IN.hvp OUT.bin\n"
               "  NAME: <slice>_fuzzer (memslots, mmu, gpc, xen, global, vm) or prog_codec_fuzzer\n",
               argv[0]);
  return 2;
}
