// SPDX-License-Identifier: Apache-2.0
// The WorldConfig field table. The model states the ranges in model/world.h (the comments on
// WorldConfig and the k* shape limits); this table is where the program layer spells them.
#include "fuzz/prog/shape_fields.h"

namespace hvfuzz::prog {
namespace {

// A ShapeField entry for WorldConfig::member, named after it.
#define HVFUZZ_SHAPE_FIELD(member, min, max, help)                                 \
  ShapeField {                                                                     \
#member, min, max,                                                               \
        [](const model::WorldConfig& c) { return static_cast<uint32_t>(c.member); }, \
        [](model::WorldConfig& c, uint32_t v) {                                      \
          c.member = static_cast<decltype(model::WorldConfig::member)>(v);          \
        },                                                                           \
        help \
  }

// A new WorldConfig member is invisible to programs (and to Program equality) until it has an
// entry below; this trips when the struct grows so that nobody forgets.
static_assert(sizeof(model::WorldConfig) == 5,
              "model::WorldConfig changed: append the new field to kShapeFields (name, range, "
              "help) and update this size");

// Order: the binary header's shape bytes and the text's "# shape:" line. Append only.
const ShapeField kShapeFields[] = {
    HVFUZZ_SHAPE_FIELD(vms, 1, model::kMaxVms, "VMs that exist when the run starts"),
    HVFUZZ_SHAPE_FIELD(vcpus, 1, model::kMaxVcpus, "vCPUs per VM when the run starts"),
    HVFUZZ_SHAPE_FIELD(memslots, 0, model::kMaxMemslots,
                       "memslots 0..n-1 present at start (slot i: gfn 16i, 8 pages)"),
    HVFUZZ_SHAPE_FIELD(gpcs, 0, model::kMaxGpcs, "generic gfn_to_pfn caches per VM"),
    HVFUZZ_SHAPE_FIELD(xen, 0, 1, "1: KVM_XEN_HVM_CONFIG done for every initial VM"),
};

#undef HVFUZZ_SHAPE_FIELD

}  // namespace

std::span<const ShapeField> ShapeFields() { return kShapeFields; }

std::optional<int> FindShapeField(std::string_view name) {
  for (size_t i = 0; i < std::size(kShapeFields); ++i) {
    if (kShapeFields[i].name == name) return static_cast<int>(i);
  }
  return std::nullopt;
}

}  // namespace hvfuzz::prog
