// SPDX-License-Identifier: Apache-2.0
#include "fuzz/prog/syntax_reference.h"

#include <algorithm>
#include <vector>

#include "fuzz/prog/internal/number_text.h"
#include "fuzz/prog/shape_fields.h"
#include "model/operations.h"

namespace hvfuzz::prog {
namespace {

std::string Range(std::string_view name, uint32_t min, uint32_t max) {
  const bool hex = internal::PrintsInHex(name);
  return internal::FormatNumber(min, hex) + ".." + internal::FormatNumber(max, hex);
}

void AppendOperation(size_t code, const model::OpSpec& spec, std::string& out) {
  const int nargs = std::min<int>(spec.nargs, model::kMaxOpArgs);
  out += "- `";
  out += spec.name;
  for (int a = 0; a < nargs; ++a) {
    out += ' ';
    out += spec.args[a].name;
    out += '=' + Range(spec.args[a].name, 0, spec.args[a].max);
  }
  out += "`";
  if (!spec.doc.empty()) out += " — " + std::string(spec.doc);
  out += "\n  - upstream: `" + std::string(spec.upstream) + "`; op code " + std::to_string(code) +
         "\n";
  if (!spec.locks.empty()) out += "  - locks: " + std::string(spec.locks) + "\n";
  for (int a = 0; a < nargs; ++a) {
    out += "  - `" + std::string(spec.args[a].name) + "`: " + std::string(spec.args[a].help) + "\n";
  }
}

}  // namespace

std::string SyntaxReference() {
  std::string out;
  out += "\n### Shape fields\n\n";
  out += "`# shape:` lists them in this order (the binary header too).\n\n";
  out += "| field | range | default | meaning |\n|---|---|---|---|\n";
  const model::WorldConfig defaults;
  for (const ShapeField& f : ShapeFields()) {
    out += "| `" + std::string(f.name) + "` | " + Range(f.name, f.min, f.max) + " | " +
           std::to_string(f.get(defaults)) + " | " + std::string(f.help) + " |\n";
  }
  const auto ops = model::Operations();
  out += "\n### Operations\n\n";
  out += std::to_string(ops.size()) +
         " operations, by fuzz-target slice (the `vm` target decodes all of them). Each entry "
         "shows the canonical spelling with every argument's range, and the op code (the binary "
         "form's op byte).\n";
  std::vector<std::string_view> slices;
  for (const model::OpSpec& spec : ops) {
    if (std::find(slices.begin(), slices.end(), spec.slice) == slices.end()) {
      slices.push_back(spec.slice);
    }
  }
  for (std::string_view slice : slices) {
    out += "\n#### slice `" + std::string(slice) + "`\n\n";
    for (size_t op = 0; op < ops.size(); ++op) {
      if (ops[op].slice == slice) AppendOperation(op, ops[op], out);
    }
  }
  out += '\n';
  return out;
}

}  // namespace hvfuzz::prog
