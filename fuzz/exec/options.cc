// SPDX-License-Identifier: Apache-2.0
#include "fuzz/exec/options.h"

#include <cstdlib>
#include <string_view>

namespace hvfuzz::exec {
namespace {

bool ParseBool(std::string_view name, std::string_view v, bool* out, std::string* error) {
  if (v == "1" || v == "true") return *out = true, true;
  if (v == "0" || v == "false") return *out = false, true;
  *error = std::string(name) + ": expected 0 or 1, got '" + std::string(v) + "'";
  return false;
}

bool ParseU64(std::string_view name, std::string_view v, uint64_t* out, std::string* error) {
  char* end = nullptr;
  std::string s(v);
  unsigned long long x = std::strtoull(s.c_str(), &end, 0);
  if (s.empty() || *end != '\0') {
    *error = std::string(name) + ": expected a number, got '" + s + "'";
    return false;
  }
  *out = x;
  return true;
}

bool ParseBugs(std::string_view name, std::string_view v, model::BugSwitches* out,
               std::string* error) {
  while (!v.empty()) {
    size_t comma = v.find(',');
    std::string_view item = v.substr(0, comma);
    v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
    if (item.empty()) continue;
    if (!out->Set(item, true)) {
      *error = std::string(name) + ": unknown bug switch '" + std::string(item) + "'; known:";
      for (const model::BugSwitchInfo& info : model::BugSwitchTable()) {
        *error += " " + std::string(info.name);
      }
      return false;
    }
  }
  return true;
}

bool Parse(std::string_view name, std::string_view v, model::BugSwitches* out, std::string* e) {
  return ParseBugs(name, v, out, e);
}
bool Parse(std::string_view name, std::string_view v, bool* out, std::string* e) {
  return ParseBool(name, v, out, e);
}
bool Parse(std::string_view name, std::string_view v, uint64_t* out, std::string* e) {
  return ParseU64(name, v, out, e);
}

bool Parse(std::string_view, std::string_view v, std::string* out, std::string*) {
  *out = std::string(v);
  return true;
}

bool Parse(std::string_view name, std::string_view v, FeedbackMode* out, std::string* e) {
  if (v == "0" || v == "false") return *out = FeedbackMode::kOff, true;
  if (v == "1" || v == "true") return *out = FeedbackMode::kLockOrder, true;
  if (v == "handover") return *out = FeedbackMode::kHandover, true;
  *e = std::string(name) + ": expected 0, 1 or 'handover', got '" + std::string(v) + "'";
  return false;
}

bool Parse(std::string_view name, std::string_view v, Backend* out, std::string* e) {
  if (v == "controlled") return *out = Backend::kControlled, true;
  if (v == "free") return *out = Backend::kFreeRunning, true;
  *e = std::string(name) + ": expected 'controlled' or 'free', got '" + std::string(v) + "'";
  return false;
}

}  // namespace

bool OptionsFromEnvironment(Options* options, std::string* error) {
#define HVFUZZ_OPTION(member, env, def, help)                                        \
  {                                                                                 \
    const char* value = std::getenv(env);                                           \
    if (!Parse(env, value ? std::string_view(value) : std::string_view(def),        \
               &options->member, error)) {                                          \
      return false;                                                                 \
    }                                                                               \
  }
#include "fuzz/exec/options.def"
#undef HVFUZZ_OPTION
  return true;
}

std::string OptionsHelp() {
  std::string out;
#define HVFUZZ_OPTION(member, env, def, help) \
  out += std::string(env) + "=" + def + "\n    " + help + "\n";
#include "fuzz/exec/options.def"
#undef HVFUZZ_OPTION
  return out;
}

}  // namespace hvfuzz::exec
