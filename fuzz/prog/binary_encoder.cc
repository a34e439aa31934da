// SPDX-License-Identifier: Apache-2.0
// Binary encoder: the right inverse of Decode (layout: binary_codec.h). Op bytes are the op
// codes themselves, which OpSet::FromByte maps back to the same op under every OpSet that
// contains it.
#include <algorithm>

#include "fuzz/prog/binary_codec.h"
#include "fuzz/prog/internal/binary_layout.h"
#include "fuzz/prog/shape_fields.h"

namespace hvfuzz::prog {

std::vector<uint8_t> Encode(const Program& p) {
  const auto ops = model::Operations();
  std::vector<uint8_t> out;
  out.reserve(internal::kFixedHeaderBytes + ShapeFields().size() + internal::kSeedBytes +
              p.num_ops() * (4 + 4 * model::kMaxOpArgs) + 1 + p.schedule.size());

  const ProgramHeader& h = p.header;
  out.push_back(static_cast<uint8_t>(p.threads.size() - 1));
  out.push_back(static_cast<uint8_t>(h.strategy));
  out.push_back(static_cast<uint8_t>(h.pct_depth - kMinPctDepth));
  out.push_back(static_cast<uint8_t>(h.fault.fail_nth));
  for (const ShapeField& field : ShapeFields()) {
    out.push_back(static_cast<uint8_t>(field.get(h.shape) - field.min));
  }
  for (size_t i = 0; i < internal::kSeedBytes; ++i) {
    out.push_back(static_cast<uint8_t>(h.seed >> (8 * i)));
  }

  for (size_t t = 0; t < p.threads.size(); ++t) {
    for (const model::OpCall& call : p.threads[t]) {
      out.push_back(static_cast<uint8_t>(t));
      out.push_back(static_cast<uint8_t>(call.op));
      const model::OpSpec& spec = ops[call.op];
      const int nargs = std::min<int>(spec.nargs, model::kMaxOpArgs);
      for (int i = 0; i < nargs; ++i) {
        const size_t width = internal::ArgWidth(spec.args[i].max);
        for (size_t byte = 0; byte < width; ++byte) {
          out.push_back(static_cast<uint8_t>(call.args[i] >> (8 * byte)));
        }
      }
      if (call.fail_nth != 0) {
        out.push_back(kFaultRecord);
        out.push_back(static_cast<uint8_t>(call.fail_nth - 1));
      }
    }
  }
  if (!p.schedule.empty()) {
    out.push_back(kScheduleSeparator);
    out.insert(out.end(), p.schedule.begin(), p.schedule.end());
  }
  return out;
}

}  // namespace hvfuzz::prog
