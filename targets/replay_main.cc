// SPDX-License-Identifier: Apache-2.0
// Standalone replayer main, linked into <target>_replay: runs each file given on the command
// line through the target (binary crash files and canonical text programs alike) and prints
// the report of the first finding. Exit status: 0 no finding, 1 finding, 2 bad input or usage.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "targets/fuzz_target.h"

extern "C" const char* HvfuzzTargetSlice();
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE...\n", argv[0]);
    return 2;
  }
  hvfuzz::targets::SetReplayMode(true);
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "hvfuzz: %s: cannot open\n", argv[i]);
      return 2;
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    hvfuzz::targets::SetReplayFile(argv[i]);
    if (bytes.rfind("# hvfuzz-prog", 0) == 0) {
      hvfuzz::targets::RunTextInput(HvfuzzTargetSlice(), bytes, argv[i]);
    } else {
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    }
  }
  return 0;
}
