// SPDX-License-Identifier: Apache-2.0
// ScheduleBytesStrategy: the fuzzer's schedule bytes first, then a fallback strategy. Each
// decision consumes one byte: the choice is byte % (runnable tasks), an index into the
// runnable tasks sorted by id, so byte 0 always runs the lowest runnable id and a mutated byte
// changes exactly one decision. Once the bytes are used up, `fallback` decides (seeded, e.g.
// random or PCT), so short inputs still explore. Cost: one branch per decision, plus the
// fallback's cost after the bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "fuzz/sched/scheduling_strategy.h"

namespace hvfuzz::sched {

class ScheduleBytesStrategy final : public SchedulingStrategy {
 public:
  ScheduleBytesStrategy(std::vector<uint8_t> bytes, std::unique_ptr<SchedulingStrategy> fallback)
      : bytes_(std::move(bytes)), fallback_(std::move(fallback)) {}

  void Reset(int num_tasks) override {
    pos_ = 0;
    fallback_->Reset(num_tasks);
  }
  size_t NextTask(std::span<const uint32_t> runnable, int current) override {
    if (pos_ < bytes_.size()) return bytes_[pos_++] % runnable.size();
    return fallback_->NextTask(runnable, current);
  }
  bool NextBool() override {
    if (pos_ < bytes_.size()) return (bytes_[pos_++] & 1) != 0;
    return fallback_->NextBool();
  }
  uint64_t NextInt(uint64_t bound) override {
    if (pos_ < bytes_.size()) return bytes_[pos_++] % bound;
    return fallback_->NextInt(bound);
  }
  std::string Describe() const override { return fallback_->Describe(); }
  void OnYield(uint32_t task) override { fallback_->OnYield(task); }

  // Schedule bytes consumed so far.
  size_t consumed() const { return pos_; }

 private:
  std::vector<uint8_t> bytes_;
  std::unique_ptr<SchedulingStrategy> fallback_;
  size_t pos_ = 0;
};

}  // namespace hvfuzz::sched
