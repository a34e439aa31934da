// SPDX-License-Identifier: Apache-2.0
// Canonical printer (format: text_codec.h, SYNTAX.md). Every choice here is part of the
// canonical form: header lines in a fixed order with every field, ops thread by thread, every
// argument in OpSpec order, hex for addresses and the seed, 32 schedule bytes per line.
#include <algorithm>

#include "fuzz/prog/internal/number_text.h"
#include "fuzz/prog/internal/text_keys.h"
#include "fuzz/prog/shape_fields.h"
#include "fuzz/prog/text_codec.h"

namespace hvfuzz::prog {
namespace {

constexpr size_t kScheduleBytesPerLine = 32;

void AppendField(std::string& out, std::string_view name, uint64_t value, bool hex) {
  out += ' ';
  out += name;
  out += '=';
  out += internal::FormatNumber(value, hex);
}

void PrintHeader(const Program& p, std::string& out) {
  const ProgramHeader& h = p.header;
  out += internal::kVersionLine;
  out += "\n# threads: " + internal::FormatNumber(p.threads.size(), false);
  out += "\n# seed: " + internal::FormatNumber(h.seed, true);
  out += "\n# strategy: ";
  out += StrategyName(h.strategy);
  if (h.strategy == Strategy::kPct) AppendField(out, "depth", h.pct_depth, false);
  out += "\n# shape:";
  for (const ShapeField& field : ShapeFields()) {
    AppendField(out, field.name, field.get(h.shape), false);
  }
  out += "\n# fault:";
  AppendField(out, "nth", h.fault.fail_nth, false);
  out += '\n';
}

void PrintOp(size_t thread, const model::OpCall& call, std::string& out) {
  const model::OpSpec& spec = model::Operations()[call.op];
  out += 't';
  out += internal::FormatNumber(thread, false);
  out += ' ';
  out += spec.name;
  const int nargs = std::min<int>(spec.nargs, model::kMaxOpArgs);
  for (int i = 0; i < nargs; ++i) {
    AppendField(out, spec.args[i].name, call.args[i], internal::PrintsInHex(spec.args[i].name));
  }
  if (call.fail_nth != 0) AppendField(out, internal::kOpFailKey, call.fail_nth, false);
  out += '\n';
}

void PrintSchedule(const std::vector<uint8_t>& schedule, std::string& out) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  for (size_t i = 0; i < schedule.size(); ++i) {
    if (i % kScheduleBytesPerLine == 0) out += i == 0 ? "schedule:" : "\nschedule:";
    out += ' ';
    out += kHex[schedule[i] >> 4];
    out += kHex[schedule[i] & 0xf];
  }
  if (!schedule.empty()) out += '\n';
}

}  // namespace

std::string Print(const Program& p) {
  std::string out;
  out.reserve(160 + p.num_ops() * 48 + p.schedule.size() * 3);
  PrintHeader(p, out);
  for (size_t t = 0; t < p.threads.size(); ++t) {
    for (const model::OpCall& call : p.threads[t]) PrintOp(t, call, out);
  }
  PrintSchedule(p.schedule, out);
  return out;
}

}  // namespace hvfuzz::prog
