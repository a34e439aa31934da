// SPDX-License-Identifier: Apache-2.0
// hvfuzz_model_tool: prints the model's tables as documents.
//   hvfuzz_model_tool locking-md     model/LOCKING.md (from model/lock_classes.def)
//   hvfuzz_model_tool operations-md  model/OPERATIONS.md (from the operation table)
//   hvfuzz_model_tool bugs           the bug switches: name, doc section, commits
//   hvfuzz_model_tool bugs --names   their names only, one per line
// The checked-in documents must equal this output (model_docs_test).
#include <cstdio>
#include <cstring>
#include <string>

#include "model/bug_switches.h"
#include "model/lock_classes.h"
#include "model/operations.h"
#include "model/tools/model_docs.h"

int main(int argc, char** argv) {
  using namespace hvfuzz::model;  // NOLINT(google-build-using-namespace): a tiny main
  const bool names_only = argc == 3 && std::strcmp(argv[1], "bugs") == 0 &&
                          std::strcmp(argv[2], "--names") == 0;
  if (argc != 2 && !names_only) {
    std::fprintf(stderr, "usage: %s locking-md|operations-md|bugs [--names]\n", argv[0]);
    return 2;
  }
  std::string out;
  if (names_only) {
    // One switch name per line, for scripts that validate --bug arguments.
    for (const BugSwitchInfo& info : BugSwitchTable()) out += std::string(info.name) + "\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }
  if (std::strcmp(argv[1], "locking-md") == 0) {
    out = LockingMarkdown();
  } else if (std::strcmp(argv[1], "operations-md") == 0) {
    out = OperationsMarkdown();
  } else if (std::strcmp(argv[1], "bugs") == 0) {
    out = BugsText();
  } else {
    std::fprintf(stderr, "unknown subcommand '%s'\n", argv[1]);
    return 2;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
