// SPDX-License-Identifier: Apache-2.0
// The checked-in model/LOCKING.md and model/OPERATIONS.md equal what hvfuzz_model_tool
// generates (regenerate with `hvfuzz_model_tool locking-md > model/LOCKING.md` and
// `hvfuzz_model_tool operations-md > model/OPERATIONS.md`), and every id a lock_classes.def
// list names exists.
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "model/lock_classes.h"
#include "model/tools/model_docs.h"

namespace hvfuzz::model {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ModelDocsTest, LockingMdIsUpToDate) {
  EXPECT_EQ(ReadFile(std::string(HVFUZZ_SOURCE_DIR) + "/model/LOCKING.md"), LockingMarkdown())
      << "model/LOCKING.md is stale: run hvfuzz_model_tool locking-md > model/LOCKING.md";
}

TEST(ModelDocsTest, OperationsMdIsUpToDate) {
  EXPECT_EQ(ReadFile(std::string(HVFUZZ_SOURCE_DIR) + "/model/OPERATIONS.md"),
            OperationsMarkdown())
      << "model/OPERATIONS.md is stale: run hvfuzz_model_tool operations-md > "
         "model/OPERATIONS.md";
}

TEST(ModelDocsTest, LockClassListsNameExistingClasses) {
  for (const LockClassInfo& row : LockClassTable()) {
    for (std::string_view list : {row.may_be_inside, row.never_inside}) {
      for (const ClassListEntry& e : ParseClassList(list)) {
        if (e.sync) EXPECT_EQ(row.lock_class->kind(), sync::LockKind::kSrcu) << row.id;
        EXPECT_NE(FindLockClassInfo(e.id), nullptr) << row.id << ": " << e.id;
      }
    }
  }
}

}  // namespace
}  // namespace hvfuzz::model
