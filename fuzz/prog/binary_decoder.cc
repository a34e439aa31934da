// SPDX-License-Identifier: Apache-2.0
// Total binary decoder (layout: binary_codec.h). Every read is bounds-checked by ByteReader;
// every value is reduced into its range by modulo (InRange), never rejected. Cost: about
// 20-25 ns per op record at -O2 (the modulo per argument dominates); allocations: the
// Program's vectors only, reserved up front.
#include <algorithm>

#include "fuzz/prog/binary_codec.h"
#include "fuzz/prog/internal/binary_layout.h"
#include "fuzz/prog/shape_fields.h"

namespace hvfuzz::prog {
namespace {

using internal::ByteReader;
using internal::InRange;

int DecodeHeader(ByteReader& in, ProgramHeader& h) {
  int threads = 1;
  uint8_t b = 0;
  if (in.Next(&b)) threads = 1 + b % kMaxThreads;
  if (in.Next(&b)) h.strategy = static_cast<Strategy>(b % kNumStrategies);
  if (in.Next(&b)) h.pct_depth = static_cast<uint8_t>(InRange(b, kMinPctDepth, kMaxPctDepth));
  if (in.Next(&b)) h.fault.fail_nth = std::min<uint32_t>(b, kMaxFailNth);
  for (const ShapeField& field : ShapeFields()) {
    if (in.Next(&b)) field.set(h.shape, InRange(b, field.min, field.max));
  }
  for (size_t i = 0; i < internal::kSeedBytes && in.Next(&b); ++i) {
    h.seed |= static_cast<uint64_t>(b) << (8 * i);
  }
  if (h.strategy != Strategy::kPct) h.pct_depth = kDefaultPctDepth;
  return threads;
}

}  // namespace

Program Decode(std::span<const uint8_t> data) {
  static const DecodeOptions kAll;  // trivially destructible: a fixed-size OpSet
  return Decode(data, kAll);
}

Program Decode(std::span<const uint8_t> data, const DecodeOptions& options) {
  Program p;
  ByteReader in(data);
  const int threads = DecodeHeader(in, p.header);
  p.threads.resize(threads);
  // A record takes at least two bytes; reserve what the input can hold at most.
  const size_t most_ops = std::min<size_t>(kMaxOpsPerThread, in.Rest().size() / 2);
  for (auto& thread : p.threads) thread.reserve(most_ops);

  const auto ops = model::Operations();
  uint8_t thread_byte = 0;
  uint8_t op_byte = 0;
  // The thread whose last op the previous record made, which a fault record right after it
  // modifies (p.threads is not resized in this loop, so the pointer stays valid).
  std::vector<model::OpCall>* last_thread = nullptr;
  while (in.Next(&thread_byte)) {
    if (thread_byte == kScheduleSeparator) {
      const auto rest = in.Rest();
      p.schedule.assign(rest.begin(),
                        rest.begin() + std::min<size_t>(rest.size(), kMaxScheduleBytes));
      break;
    }
    if (thread_byte == kFaultRecord) {
      uint8_t b = 0;
      if (!in.Next(&b)) break;
      if (last_thread != nullptr) {
        last_thread->back().fail_nth = static_cast<uint8_t>(1 + b % model::kMaxOpFailNth);
      }
      last_thread = nullptr;  // a second fault record in a row modifies nothing
      continue;
    }
    last_thread = nullptr;
    if (!in.Next(&op_byte)) break;
    if (options.ops.empty()) continue;
    model::OpCall call;
    call.op = options.ops.FromByte(op_byte);
    const model::OpSpec& spec = ops[call.op];
    const int nargs = std::min<int>(spec.nargs, model::kMaxOpArgs);
    for (int i = 0; i < nargs; ++i) {
      const uint32_t max = spec.args[i].max;
      call.args[i] = InRange(in.ReadLittleEndian(internal::ArgWidth(max)), 0, max);
    }
    auto& thread = p.threads[thread_byte % threads];
    if (thread.size() < kMaxOpsPerThread) {
      thread.push_back(call);
      last_thread = &thread;
    }
  }
  return p;
}

}  // namespace hvfuzz::prog
