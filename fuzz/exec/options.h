// SPDX-License-Identifier: Apache-2.0
// Options: the knobs of options.def, parsed once. Parse errors name the variable and the bad
// value; the caller decides how to stop (fuzz targets print and exit with status 2).
#pragma once

#include <cstdint>
#include <string>

#include "fuzz/exec/feedback.h"
#include "fuzz/exec/run_one.h"
#include "model/bug_switches.h"

namespace hvfuzz::exec {

struct Options {
  model::BugSwitches bugs;
  bool validate = true;
  uint64_t max_steps = 20000;
  FeedbackMode feedback = FeedbackMode::kHandover;
  bool mutator = true;
  Backend backend = Backend::kControlled;
  bool status = false;
  bool run_stats = false;
  std::string known_file;
};

// Reads options.def's variables from the environment. On error returns false and sets `error`
// to a one-line message ("HVFUZZ_BUGS: unknown bug switch 'x'; known: ...").
bool OptionsFromEnvironment(Options* options, std::string* error);
// "NAME=default  help" lines for --help texts.
std::string OptionsHelp();

}  // namespace hvfuzz::exec
