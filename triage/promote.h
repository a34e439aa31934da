// SPDX-License-Identifier: Apache-2.0
// Promote: `./hvfuzz promote BUCKET` as a library call. Reads a triage bucket (bucket.txt and
// the minimized program.hvp), checks once more through RunOne that the program gives the
// bucket's signature with its switches on and nothing with them off, then writes
//   <tests_dir>/<name>.hvp        the regression file (regression_file.h)
//   <corpus_dir>/<target>/<crash> a copy of the source crash file (binary crash files seed
//                                 later sessions of that target; text sources go to
//                                 <corpus_dir>/<crash>.hvp and are encoded as seeds)
// <name> is `name` if given, else the slug of the switches ("xen-evtchn-kvm-lock"), else of the
// title; "-2", "-3", ... is appended when the name is taken by another finding. A signature
// that already has a regression file is not promoted twice (reported, success). Nothing is
// overwritten: every file is created exclusively.
#pragma once

#include <string>

namespace hvfuzz::triage {

struct PromoteOptions {
  std::string bucket_dir;
  std::string tests_dir = "tests/regressions";
  std::string corpus_dir = "corpus/regressions";
  std::string name;  // optional
};

struct PromoteResult {
  std::string regression_file;  // written (or the existing one for this signature)
  std::string corpus_file;      // written or already there; empty when none
  bool already_promoted = false;
};

// False with `error` set on a bad bucket, a program that no longer reproduces, or a file
// that exists with other content.
bool Promote(const PromoteOptions& options, PromoteResult* result, std::string* error);

}  // namespace hvfuzz::triage
