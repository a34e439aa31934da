// SPDX-License-Identifier: Apache-2.0
// Table cases for the binary layout (binary_codec.h). Randomized properties live in
// codec_property_test.cc.
#include "fuzz/prog/binary_codec.h"

#include <gtest/gtest.h>

#include "fuzz/prog/internal/binary_layout.h"
#include "fuzz/prog/shape_fields.h"
#include "fuzz/prog/testing/random_program.h"

namespace hvfuzz::prog {
namespace {

const size_t kHeaderBytes =
    internal::kFixedHeaderBytes + ShapeFields().size() + internal::kSeedBytes;

// A full header: 2 threads, pct depth 4, fault 7, default shape, seed 0x0102.
std::vector<uint8_t> Header() {
  std::vector<uint8_t> bytes = {1, static_cast<uint8_t>(Strategy::kPct), 4 - kMinPctDepth, 7};
  const model::WorldConfig defaults;
  for (const ShapeField& f : ShapeFields()) bytes.push_back(f.get(defaults) - f.min);
  for (uint8_t b : {2, 1, 0, 0, 0, 0, 0, 0}) bytes.push_back(b);
  return bytes;
}

// The first op whose first argument is `width` bytes wide.
uint16_t OpWithArgWidth(size_t width) {
  const auto ops = model::Operations();
  for (size_t op = 0; op < ops.size(); ++op) {
    if (ops[op].nargs > 0 && internal::ArgWidth(ops[op].args[0].max) == width) return op;
  }
  ADD_FAILURE() << "no operation has a first argument of width " << width;
  return 0;
}

TEST(BinaryCodecTest, EmptyInputIsTheDefaultProgram) { EXPECT_EQ(Decode({}), Program()); }

TEST(BinaryCodecTest, HeaderBytesMapIntoTheirRanges) {
  const std::vector<uint8_t> bytes = Header();
  ASSERT_EQ(bytes.size(), kHeaderBytes);
  const Program p = Decode(bytes);
  EXPECT_EQ(p.threads.size(), 2u);
  EXPECT_EQ(p.header.strategy, Strategy::kPct);
  EXPECT_EQ(p.header.pct_depth, 4);
  EXPECT_EQ(p.header.fault.fail_nth, 7u);
  EXPECT_EQ(p.header.seed, 0x0102u);
  EXPECT_EQ(p.num_ops(), 0);

  std::vector<uint8_t> wrapped(kHeaderBytes, 0xff);
  const Program q = Decode(wrapped);
  EXPECT_EQ(q.threads.size(), size_t{255 % kMaxThreads + 1});
  EXPECT_EQ(q.header.seed, UINT64_MAX);
  EXPECT_EQ(Validate(q), "");
  for (const ShapeField& f : ShapeFields()) {
    EXPECT_EQ(f.get(q.header.shape), f.min + 255 % (f.max - f.min + 1)) << f.name;
  }
}

TEST(BinaryCodecTest, TruncatedHeaderKeepsDefaultsAndPartialSeed) {
  std::vector<uint8_t> bytes = Header();
  Program expected;
  expected.threads.resize(2);
  expected.header.pct_depth = 4;
  expected.header.fault.fail_nth = 7;
  bytes.resize(internal::kFixedHeaderBytes);
  EXPECT_EQ(Decode(bytes), expected);
  bytes = Header();
  bytes.resize(kHeaderBytes - internal::kSeedBytes + 1);  // one seed byte: 0x02
  expected.header.seed = 2;
  EXPECT_EQ(Decode(bytes), expected);
}

TEST(BinaryCodecTest, NonPctStrategyKeepsTheDefaultDepth) {
  std::vector<uint8_t> bytes = Header();
  bytes[1] = static_cast<uint8_t>(Strategy::kRandom);
  const Program p = Decode(bytes);
  EXPECT_EQ(p.header.strategy, Strategy::kRandom);
  EXPECT_EQ(p.header.pct_depth, kDefaultPctDepth);
}

TEST(BinaryCodecTest, OpRecordsGoToTheirThreadWithArgsModuloMax) {
  const uint16_t op = OpWithArgWidth(1);
  const model::OpSpec& spec = model::Operations()[op];
  std::vector<uint8_t> bytes = Header();
  // thread byte 3 -> t1 (2 threads); first argument 0xff taken modulo max+1; the rest 0.
  bytes.insert(bytes.end(), {3, static_cast<uint8_t>(op), 0xff});
  for (int a = 1; a < spec.nargs; ++a) {
    bytes.insert(bytes.end(), internal::ArgWidth(spec.args[a].max), 0);
  }
  const Program p = Decode(bytes);
  ASSERT_EQ(p.threads[1].size(), 1u);
  EXPECT_TRUE(p.threads[0].empty());
  EXPECT_EQ(p.threads[1][0].op, op);
  EXPECT_EQ(p.threads[1][0].args[0], 255 % (spec.args[0].max + 1));
}

TEST(BinaryCodecTest, FaultRecordArmsThePreviousRecordsOp) {
  const uint16_t op = OpWithArgWidth(1);
  const model::OpSpec& spec = model::Operations()[op];
  const auto record = [&](uint8_t thread) {
    std::vector<uint8_t> r = {thread, static_cast<uint8_t>(op)};
    for (int a = 0; a < spec.nargs; ++a) r.insert(r.end(), internal::ArgWidth(spec.args[a].max), 1);
    return r;
  };
  std::vector<uint8_t> bytes = Header();
  // A fault record before any op arms nothing.
  bytes.insert(bytes.end(), {kFaultRecord, 9});
  auto r0 = record(0), r1 = record(1);
  bytes.insert(bytes.end(), r0.begin(), r0.end());
  // 1 + 17 % 15 = 3; a second fault record in a row arms nothing more.
  bytes.insert(bytes.end(), {kFaultRecord, 17, kFaultRecord, 0});
  bytes.insert(bytes.end(), r1.begin(), r1.end());
  const Program p = Decode(bytes);
  ASSERT_EQ(p.threads[0].size(), 1u);
  ASSERT_EQ(p.threads[1].size(), 1u);
  EXPECT_EQ(p.threads[0][0].fail_nth, 3);
  EXPECT_EQ(p.threads[1][0].fail_nth, 0);
  EXPECT_EQ(Validate(p), "");
  // Encode writes the record right after its op, and Decode reads the same program back.
  EXPECT_EQ(Decode(Encode(p)), p);
  // A fault record cut short ends the ops, like any record.
  std::vector<uint8_t> cut = Header();
  cut.insert(cut.end(), r0.begin(), r0.end());
  cut.push_back(kFaultRecord);
  EXPECT_EQ(Decode(cut).threads[0].at(0).fail_nth, 0);
}

TEST(BinaryCodecTest, ArgumentsReadLittleEndianWithMissingBytesZero) {
  // The model's arguments may all fit in one byte today; the wider forms are checked on the
  // reader the decoder uses.
  EXPECT_EQ(internal::ArgWidth(0xff), 1u);
  EXPECT_EQ(internal::ArgWidth(0x100), 2u);
  EXPECT_EQ(internal::ArgWidth(0xffff), 2u);
  EXPECT_EQ(internal::ArgWidth(0x10000), 4u);
  const uint8_t bytes[] = {0x34, 0x12, 0x78, 0x56, 0x9a};
  internal::ByteReader full(bytes);
  EXPECT_EQ(full.ReadLittleEndian(4), 0x56781234u);
  EXPECT_EQ(full.ReadLittleEndian(2), 0x9au);  // one byte left: the high byte reads as zero
  EXPECT_EQ(full.ReadLittleEndian(1), 0u);
  EXPECT_EQ(internal::InRange(0x1234, 0, 0xfff), 0x234u);
  EXPECT_EQ(internal::InRange(UINT32_MAX, 0, UINT32_MAX), UINT32_MAX);
  EXPECT_EQ(internal::InRange(7, 1, 4), 4u);
  // A record cut inside its arguments keeps the op with the missing arguments zero.
  const uint16_t op = OpWithArgWidth(1);
  std::vector<uint8_t> record = Header();
  record.insert(record.end(), {0, static_cast<uint8_t>(op)});
  const Program p = Decode(record);
  ASSERT_EQ(p.threads[0].size(), 1u);
  EXPECT_EQ(p.threads[0][0].args, (std::array<uint32_t, model::kMaxOpArgs>{}));
  record.pop_back();  // a thread byte without its op byte
  EXPECT_EQ(Decode(record).num_ops(), 0);
}

TEST(BinaryCodecTest, SeparatorStartsTheScheduleCappedAtItsLimit) {
  std::vector<uint8_t> bytes = Header();
  bytes.push_back(kScheduleSeparator);
  for (int i = 0; i < kMaxScheduleBytes + 10; ++i) bytes.push_back(static_cast<uint8_t>(i));
  const Program p = Decode(bytes);
  EXPECT_EQ(p.num_ops(), 0);
  ASSERT_EQ(p.schedule.size(), size_t{kMaxScheduleBytes});
  EXPECT_EQ(p.schedule[0], 0);
  EXPECT_EQ(p.schedule[kMaxScheduleBytes - 1], kMaxScheduleBytes - 1);
}

TEST(BinaryCodecTest, OpsBeyondThePerThreadLimitAreDropped) {
  const uint16_t op = OpWithArgWidth(1);
  std::vector<uint8_t> bytes = Header();
  bytes[0] = 0;  // one thread
  model::OpCall call;
  call.op = op;
  Program expected = Decode(bytes);
  for (int i = 0; i < kMaxOpsPerThread + 5; ++i) {
    Program one = expected;
    one.threads[0] = {call};
    const std::vector<uint8_t> record = Encode(one);
    bytes.insert(bytes.end(), record.begin() + kHeaderBytes, record.end());
  }
  expected.threads[0].assign(kMaxOpsPerThread, call);
  EXPECT_EQ(Decode(bytes), expected);
}

TEST(BinaryCodecTest, SliceMapsEveryOpByteIntoTheSlice) {
  const DecodeOptions gpc{*OpSet::ForSlices("gpc")};
  std::vector<uint8_t> bytes = Header();
  for (int b = 0; b < 256; ++b) bytes.insert(bytes.end(), {0, static_cast<uint8_t>(b), 0, 0, 0, 0});
  const Program p = Decode(bytes, gpc);
  EXPECT_GT(p.num_ops(), 0);
  EXPECT_TRUE(gpc.ops.ContainsAll(p));
  EXPECT_EQ(Decode(Encode(p), gpc), p);
  EXPECT_EQ(Decode(Encode(p)), p);  // encoded op bytes are op codes: valid under every set
  EXPECT_EQ(Decode(bytes, DecodeOptions{OpSet()}).num_ops(), 0);
}

TEST(BinaryCodecTest, EncodeWritesHeaderRecordsThenSchedule) {
  const uint16_t op = OpWithArgWidth(1);
  const model::OpSpec& spec = model::Operations()[op];
  Program p = Decode(Header());
  p.threads[1].push_back({.op = op});
  p.threads[1][0].args[0] = spec.args[0].max;
  p.schedule = {9, 8};
  std::vector<uint8_t> expected = Header();
  expected.insert(expected.end(),
                  {1, static_cast<uint8_t>(op), static_cast<uint8_t>(spec.args[0].max)});
  for (int a = 1; a < spec.nargs; ++a) {
    expected.insert(expected.end(), internal::ArgWidth(spec.args[a].max), 0);
  }
  expected.insert(expected.end(), {kScheduleSeparator, 9, 8});
  EXPECT_EQ(Encode(p), expected);
  EXPECT_EQ(Decode(expected), p);
}

}  // namespace
}  // namespace hvfuzz::prog
