// SPDX-License-Identifier: Apache-2.0
// hvfuzz_prog_tool: conversions between the stored (text) and fuzzed (binary) program forms.
//   hvfuzz_prog_tool encode FILE.hvp   strict-parse a text program, write its binary form
//   hvfuzz_prog_tool decode FILE       decode any byte string, write its canonical text
// Exit status: 0 done, 2 bad input or usage (with file:line:col for text).
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/prog/binary_codec.h"
#include "fuzz/prog/text_codec.h"

namespace {

bool ReadFile(const char* path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s encode FILE.hvp | decode FILE\n", argv[0]);
    return 2;
  }
  std::string cmd = argv[1];
  std::string data;
  if (!ReadFile(argv[2], &data)) {
    std::fprintf(stderr, "hvfuzz: %s: cannot open\n", argv[2]);
    return 2;
  }
  if (cmd == "encode") {
    hvfuzz::prog::ParseResult r =
        hvfuzz::prog::Parse(data, hvfuzz::prog::ParseMode::kStrict, argv[2]);
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.error->ToString().c_str());
      return 2;
    }
    std::vector<uint8_t> bytes = hvfuzz::prog::Encode(*r.program);
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    return 0;
  }
  if (cmd == "decode") {
    hvfuzz::prog::Program p = hvfuzz::prog::Decode(
        {reinterpret_cast<const uint8_t*>(data.data()), data.size()});
    std::string text = hvfuzz::prog::Print(p);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  std::fprintf(stderr, "hvfuzz: unknown subcommand '%s'\n", cmd.c_str());
  return 2;
}
