// SPDX-License-Identifier: Apache-2.0
// hvfuzz_model_tool: prints the model's tables as documents.
//   hvfuzz_model_tool locking-md     model/LOCKING.md (from model/lock_classes.def)
//   hvfuzz_model_tool operations-md  model/OPERATIONS.md (from the operation table)
//   hvfuzz_model_tool bugs           the bug switches: name, doc section, commits
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
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s locking-md|operations-md|bugs\n", argv[0]);
    return 2;
  }
  std::string out;
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
