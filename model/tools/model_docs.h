// SPDX-License-Identifier: Apache-2.0
// The model's generated documents: LOCKING.md from lock_classes.def, OPERATIONS.md from the
// operation table, and the bug-switch listing. Pure functions of constant tables.
#pragma once

#include <string>

namespace hvfuzz::model {

std::string LockingMarkdown();
std::string OperationsMarkdown();
std::string BugsText();

}  // namespace hvfuzz::model
