// SPDX-License-Identifier: Apache-2.0
#include "targets/assets/fuzz_assets.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <set>

#include "fuzz/prog/binary_codec.h"
#include "fuzz/prog/shape_fields.h"
#include "fuzz/prog/text_codec.h"
#include "model/operations.h"

namespace hvfuzz::targets {
namespace {

std::string Identifier(std::string_view s) {
  std::string out;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out.push_back(ok ? c : '_');
  }
  return out;
}

std::vector<uint8_t> HeaderBytes(const prog::Program& p) {
  prog::Program header_only = p;
  for (auto& t : header_only.threads) t.clear();
  header_only.schedule.clear();
  return prog::Encode(header_only);
}

// A program with `call` as the only op, on thread `thread` (threads 0..thread exist).
prog::Program OneOp(int thread, const model::OpCall& call) {
  prog::Program p;
  p.threads.assign(thread + 1, {});
  p.threads[thread].push_back(call);
  return p;
}

// `call` with every used argument set to min(v, max) (unused slots stay 0: Validate's rule).
model::OpCall CallWithArgs(uint16_t op, uint32_t v) {
  const model::OpSpec& spec = model::Operations()[op];
  model::OpCall call;
  call.op = op;
  for (int i = 0; i < spec.nargs && i < model::kMaxOpArgs; ++i) {
    call.args[i] = std::min(v, spec.args[i].max);
  }
  return call;
}

// The op record bytes of `call` on `thread`: the encoding minus the header.
std::vector<uint8_t> RecordBytes(int thread, const model::OpCall& call) {
  const prog::Program p = OneOp(thread, call);
  const std::vector<uint8_t> all = prog::Encode(p);
  const size_t header = HeaderBytes(p).size();
  return {all.begin() + static_cast<std::ptrdiff_t>(header), all.end()};
}

std::vector<uint16_t> Members(const prog::OpSet& ops) {
  std::vector<uint16_t> out;
  for (size_t op = 0; op < model::Operations().size(); ++op) {
    if (ops.Contains(static_cast<uint16_t>(op))) out.push_back(static_cast<uint16_t>(op));
  }
  return out;
}

class EntryList {
 public:
  void Add(std::string_view name, std::vector<uint8_t> bytes) {
    if (bytes.empty() || !seen_bytes_.insert(bytes).second) return;  // no duplicate tokens
    std::string id = Identifier(name);
    std::string unique = id;
    for (int n = 2; !names_.insert(unique).second; ++n) unique = id + "_" + std::to_string(n);
    entries_.push_back({unique, std::move(bytes)});
  }
  void Add(std::string_view name, std::string_view text) {
    Add(name, std::vector<uint8_t>(text.begin(), text.end()));
  }
  std::vector<DictEntry> Take() { return std::move(entries_); }

 private:
  std::vector<DictEntry> entries_;
  std::set<std::string> names_;
  std::set<std::vector<uint8_t>> seen_bytes_;
};

}  // namespace

std::vector<DictEntry> BinaryDictionary(const prog::OpSet& ops) {
  EntryList list;
  // Headers: every thread count and strategy, the rest at its defaults.
  for (int threads = 1; threads <= prog::kMaxThreads; ++threads) {
    for (int s = 0; s < prog::kNumStrategies; ++s) {
      prog::Program p;
      p.threads.assign(threads, {});
      p.header.strategy = static_cast<prog::Strategy>(s);
      list.Add("header_" + std::to_string(threads) + "t_" +
                   prog::StrategyName(p.header.strategy),
               HeaderBytes(p));
    }
  }
  // Op records: the [thread][op] prefix on every thread, then two whole records.
  for (uint16_t op : Members(ops)) {
    const std::string name(model::Operations()[op].name);
    for (int t = 0; t < prog::kMaxThreads; ++t) {
      std::vector<uint8_t> rec = RecordBytes(t, CallWithArgs(op, 0));
      list.Add("t" + std::to_string(t) + "_" + name, {rec.begin(), rec.begin() + 2});
    }
    list.Add("t0_" + name + "_args0", RecordBytes(0, CallWithArgs(op, 0)));
    list.Add("t1_" + name + "_args1", RecordBytes(1, CallWithArgs(op, 1)));
  }
  // The schedule: the separator, and round-robin schedules after it.
  list.Add("schedule_separator", std::vector<uint8_t>{prog::kScheduleSeparator});
  for (int n = 2; n <= prog::kMaxThreads; ++n) {
    std::vector<uint8_t> rr = {prog::kScheduleSeparator};
    for (int i = 0; i < 2 * n; ++i) rr.push_back(static_cast<uint8_t>(i % n));
    list.Add("schedule_round_robin_" + std::to_string(n), rr);
  }
  return list.Take();
}

std::vector<DictEntry> TextDictionary() {
  EntryList list;
  // The canonical header lines and the schedule line, as Print writes them.
  prog::Program sample;
  sample.threads.assign(2, {});
  sample.schedule = {0, 1};
  const std::string text = prog::Print(sample);
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    const std::string line = text.substr(start, nl + 1 - start);
    const size_t key_end = line.find(':');
    list.Add("line_" + line.substr(0, key_end == std::string::npos ? line.size() : key_end),
             line);
  }
  for (int t = 0; t < prog::kMaxThreads; ++t) {
    list.Add("thread_t" + std::to_string(t), "t" + std::to_string(t) + " ");
  }
  // One printed op line per op (arguments 0), and every argument name.
  for (size_t op = 0; op < model::Operations().size(); ++op) {
    const model::OpSpec& spec = model::Operations()[op];
    const std::string printed = prog::Print(OneOp(0, CallWithArgs(static_cast<uint16_t>(op), 0)));
    const size_t at = printed.rfind("\nt0 ");
    if (at != std::string::npos) {
      list.Add("op_line_" + std::string(spec.name), printed.substr(at + 1));
    }
    list.Add("op_" + std::string(spec.name), spec.name);
    for (int i = 0; i < spec.nargs && i < model::kMaxOpArgs; ++i) {
      list.Add("arg_" + std::string(spec.args[i].name), std::string(spec.args[i].name) + "=");
    }
  }
  for (const prog::ShapeField& field : prog::ShapeFields()) {
    list.Add("shape_" + std::string(field.name), std::string(field.name) + "=");
  }
  for (int s = 0; s < prog::kNumStrategies; ++s) {
    const char* name = prog::StrategyName(static_cast<prog::Strategy>(s));
    list.Add(std::string("strategy_") + name, name);
  }
  return list.Take();
}

size_t MaxUsefulInputLength(const prog::OpSet& ops) {
  size_t longest = 0;
  for (uint16_t op : Members(ops)) {
    longest = std::max(longest, RecordBytes(0, CallWithArgs(op, 0)).size());
  }
  return HeaderBytes(prog::Program{}).size() +
         static_cast<size_t>(prog::kMaxThreads) * prog::kMaxOpsPerThread * longest + 1 +
         prog::kMaxScheduleBytes;
}

size_t MaxUsefulTextLength() {
  size_t longest_line = 0;
  uint16_t longest_op = 0;
  for (size_t op = 0; op < model::Operations().size(); ++op) {
    const model::OpCall call = CallWithArgs(static_cast<uint16_t>(op), UINT32_MAX);
    const size_t len = prog::Print(OneOp(0, call)).size();
    if (len > longest_line) {
      longest_line = len;
      longest_op = static_cast<uint16_t>(op);
    }
  }
  prog::Program full;
  full.threads.assign(prog::kMaxThreads, {});
  for (auto& thread : full.threads) {
    thread.assign(prog::kMaxOpsPerThread, CallWithArgs(longest_op, UINT32_MAX));
  }
  full.schedule.assign(prog::kMaxScheduleBytes, 0xff);
  full.header.seed = UINT64_MAX;
  full.header.fault.fail_nth = prog::kMaxFailNth;
  return prog::Print(full).size();
}

std::string RenderDictionary(std::string_view fuzzer, const std::vector<DictEntry>& entries) {
  std::string out = "# " + std::string(fuzzer) +
                    ".dict: generated by hvfuzz_fuzz_assets_tool from the model's op table and "
                    "the binary layout (fuzz/prog/binary_codec.h). Do not edit.\n";
  for (const DictEntry& e : entries) {
    out += e.name + "=\"";
    for (uint8_t b : e.bytes) {
      if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
        out.push_back(static_cast<char>(b));
      } else {
        char buf[5];
        std::snprintf(buf, sizeof(buf), "\\x%02X", b);
        out += buf;
      }
    }
    out += "\"\n";
  }
  return out;
}

std::string RenderOptions(std::string_view fuzzer, size_t max_len) {
  return "# " + std::string(fuzzer) +
         ".options: generated by hvfuzz_fuzz_assets_tool. Do not edit.\n"
         "[libfuzzer]\n"
         "max_len = " + std::to_string(max_len) + "\n" +
         "dict = " + std::string(fuzzer) + ".dict\n";
}

prog::Program RestrictToOps(const prog::Program& p, const prog::OpSet& ops,
                            std::vector<std::string>* dropped) {
  prog::Program out = p;
  for (auto& thread : out.threads) {
    std::vector<model::OpCall> kept;
    for (const model::OpCall& call : thread) {
      if (ops.Contains(call.op)) {
        kept.push_back(call);
      } else if (dropped != nullptr) {
        dropped->emplace_back(model::Operations()[call.op].name);
      }
    }
    thread = std::move(kept);
  }
  return out;
}

std::optional<FuzzerKind> KindOfFuzzer(std::string_view fuzzer) {
  constexpr std::string_view kSuffix = "_fuzzer";
  if (fuzzer.size() <= kSuffix.size() || !fuzzer.ends_with(kSuffix)) return std::nullopt;
  const std::string_view base = fuzzer.substr(0, fuzzer.size() - kSuffix.size());
  if (base == "prog_codec") return FuzzerKind{prog::OpSet::All(), true};
  std::optional<prog::OpSet> ops = prog::OpSet::ForSlices(base);
  if (!ops.has_value()) return std::nullopt;
  return FuzzerKind{*ops, false};
}

}  // namespace hvfuzz::targets
