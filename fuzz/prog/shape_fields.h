// SPDX-License-Identifier: Apache-2.0
// ShapeFields: the table of model::WorldConfig fields a program can set, by name, with their
// ranges. The binary decoder gives each one header byte in table order; the text form spells
// them `# shape: vms=1 vcpus=2 ...` in table order.
//
// Contract: a constant table, safe from any thread, O(1) lookups by index. Names are a
// compatibility contract (see program.h); new fields go at the end (the binary layout then
// shifts, which only invalidates binary corpora, never the text ones). Every field's default
// (its value in a default-constructed WorldConfig) lies within [min, max].
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "model/world.h"

namespace hvfuzz::prog {

struct ShapeField {
  std::string_view name;  // "vcpus"
  uint32_t min;
  uint32_t max;
  uint32_t (*get)(const model::WorldConfig&);
  void (*set)(model::WorldConfig&, uint32_t);  // value must be within [min, max]
  std::string_view help;
};

std::span<const ShapeField> ShapeFields();
// Index into ShapeFields(), or nullopt for an unknown name.
std::optional<int> FindShapeField(std::string_view name);

}  // namespace hvfuzz::prog
