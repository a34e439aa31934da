// SPDX-License-Identifier: Apache-2.0
// Binary codec: the bytes a fuzzing engine hands us <-> Program. The layout (below, and in
// SYNTAX.md) is built for mutation locality: fixed-offset header bytes, then op records whose
// length depends only on their op, then a separator and the schedule, so that flipping one
// byte changes one field and inserting or erasing bytes shifts whole records.
//
//   header   threads   (b % kMaxThreads) + 1
//            strategy  b % kNumStrategies
//            pct depth kMinPctDepth + b % kMaxPctDepth (the default unless strategy is pct)
//            fault     fail_nth = b (0: no fault)
//            shape     one byte per ShapeFields() entry: min + b % (max - min + 1)
//            seed      8 bytes, little-endian
//   ops      records [thread][op][arg...] until the separator or the end of the input:
//            thread    b % threads; 0xff is the separator and 0xfe a fault record instead
//            op        OpSet::FromByte(b) (an empty OpSet drops every record)
//            arg       1, 2 or 4 bytes little-endian (by ArgSpec::max: <= 0xff, <= 0xffff,
//                      else), taken modulo max + 1
//            fault record [0xfe][b]: the op of the record just before it (if that record
//                      made one) gets fail_nth = 1 + b % kMaxOpFailNth
//   schedule after the separator: the remaining bytes, at most kMaxScheduleBytes
//
// Missing bytes take defaults: a header cut short keeps the default fields (ProgramHeader{}),
// a partial seed or argument reads the missing bytes as zero, a record without its op byte is
// dropped. Records beyond kMaxOpsPerThread for their thread are dropped.
//
// Contract: Decode is total (every byte string decodes to a valid program; it never fails,
// aborts or reads out of bounds) and allocates only the Program's own vectors. Encode is its
// right inverse: Decode(Encode(p), o) == p for every valid p whose ops are all in o.ops, so
// Encode(Decode(b)) decodes back to the same program. Stateless, thread-compatible. Binary
// inputs are not a storage format (text is, see text_codec.h): the layout may change with the
// model's tables.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "fuzz/prog/op_set.h"
#include "fuzz/prog/program.h"

namespace hvfuzz::prog {

struct DecodeOptions {
  OpSet ops = OpSet::All();  // the operations op bytes select from (a target's slice)
};

inline constexpr uint8_t kScheduleSeparator = 0xff;
inline constexpr uint8_t kFaultRecord = 0xfe;

// Decodes with every operation allowed.
Program Decode(std::span<const uint8_t> data);
Program Decode(std::span<const uint8_t> data, const DecodeOptions& options);

// The canonical bytes of a valid program (header, one record per op, thread by thread, each
// op with a fail_nth followed by its fault record, and the separator plus schedule when the
// schedule is not empty). Precondition: Validate(p) is empty.
std::vector<uint8_t> Encode(const Program& p);

}  // namespace hvfuzz::prog
