// SPDX-License-Identifier: Apache-2.0
// Fuzz assets: the generated dictionaries parse (with a parser written here from libFuzzer's
// dictionary syntax, not the renderer's own code) back to their tokens, the tokens mean what
// their names say under the fuzzer's OpSet, max_len is tight, and every seed program of
// corpus/<slice>/ keeps its meaning when its fuzzer decodes it (all its ops are in the slice).
#include "targets/assets/fuzz_assets.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fuzz/prog/binary_codec.h"
#include "fuzz/prog/text_codec.h"
#include "gtest/gtest.h"
#include "model/operations.h"

namespace hvfuzz::targets {
namespace {

const char* const kFuzzers[] = {"memslots_fuzzer", "mmu_fuzzer",    "gpc_fuzzer", "xen_fuzzer",
                                "global_fuzzer",   "vm_fuzzer", "prog_codec_fuzzer"};

// libFuzzer's dictionary syntax (FuzzerUtil ParseDictionaryFile): blank and '#' lines are
// skipped; otherwise [name=]"token" where the token knows \\, \" and \xAB. Returns false on a
// line that is neither.
bool ParseDict(const std::string& text, std::map<std::string, std::vector<uint8_t>>* out) {
  size_t start = 0;
  int anonymous = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(start, nl - start);
    start = nl + 1;
    if (line.empty() || line[0] == '#') continue;
    const size_t q = line.find('"');
    if (q == std::string::npos || line.back() != '"' || q == line.size() - 1) return false;
    std::string name = q == 0 ? "anon" + std::to_string(anonymous++) : line.substr(0, q);
    if (q != 0) {
      if (name.back() != '=') return false;
      name.pop_back();
    }
    std::vector<uint8_t> bytes;
    for (size_t i = q + 1; i + 1 < line.size(); ++i) {
      if (line[i] != '\\') {
        if (line[i] == '"') return false;
        bytes.push_back(static_cast<uint8_t>(line[i]));
        continue;
      }
      if (i + 1 >= line.size() - 1) return false;
      const char c = line[++i];
      if (c == '\\' || c == '"') {
        bytes.push_back(static_cast<uint8_t>(c));
      } else if (c == 'x' && i + 2 < line.size() - 1 && std::isxdigit(line[i + 1]) &&
                 std::isxdigit(line[i + 2])) {
        bytes.push_back(static_cast<uint8_t>(std::stoi(line.substr(i + 1, 2), nullptr, 16)));
        i += 2;
      } else {
        return false;
      }
    }
    if (!out->emplace(name, bytes).second) return false;  // names are unique
  }
  return true;
}

std::vector<DictEntry> EntriesOf(const FuzzerKind& kind) {
  std::vector<DictEntry> entries = BinaryDictionary(kind.ops);
  if (kind.text) {
    for (auto& e : TextDictionary()) entries.push_back(std::move(e));
  }
  return entries;
}

TEST(FuzzAssetsTest, DictionaryParsesBackToItsTokens) {
  for (const char* fuzzer : kFuzzers) {
    SCOPED_TRACE(fuzzer);
    std::optional<FuzzerKind> kind = KindOfFuzzer(fuzzer);
    ASSERT_TRUE(kind.has_value());
    const std::vector<DictEntry> entries = EntriesOf(*kind);
    std::map<std::string, std::vector<uint8_t>> parsed;
    ASSERT_TRUE(ParseDict(RenderDictionary(fuzzer, entries), &parsed));
    ASSERT_EQ(parsed.size(), entries.size());
    for (const DictEntry& e : entries) {
      ASSERT_TRUE(parsed.count(e.name)) << e.name;
      EXPECT_EQ(parsed[e.name], e.bytes) << e.name;
    }
  }
}

std::string Ident(std::string_view op_name) {
  std::string s(op_name);
  std::replace(s.begin(), s.end(), '.', '_');
  return s;
}

// Every op of the slice has a whole-record token (t0_<op>_args0, or t0_<op> for an op without
// arguments, whose record is its prefix), and header + that token decodes to exactly that op.
TEST(FuzzAssetsTest, OpRecordTokensSelectTheirOpUnderTheSlice) {
  for (const char* fuzzer : kFuzzers) {
    SCOPED_TRACE(fuzzer);
    const FuzzerKind kind = *KindOfFuzzer(fuzzer);
    const std::vector<uint8_t> header = prog::Encode(prog::Program{});  // 1 thread, no ops
    std::map<std::string, std::vector<uint8_t>> by_name;
    for (const DictEntry& e : BinaryDictionary(kind.ops)) by_name[e.name] = e.bytes;
    int records = 0;
    for (size_t op = 0; op < model::Operations().size(); ++op) {
      const std::string id = "t0_" + Ident(model::Operations()[op].name);
      const bool member = kind.ops.Contains(static_cast<uint16_t>(op));
      EXPECT_EQ(by_name.count(id) == 1, member) << id;
      if (!member) continue;
      const auto it = by_name.count(id + "_args0") ? by_name.find(id + "_args0") : by_name.find(id);
      std::vector<uint8_t> input = header;
      input.insert(input.end(), it->second.begin(), it->second.end());
      const prog::Program p = prog::Decode(input, prog::DecodeOptions{kind.ops});
      ASSERT_EQ(p.num_ops(), 1) << it->first;
      EXPECT_EQ(p.threads[0][0].op, op) << it->first;
      EXPECT_EQ(prog::Encode(p), input) << it->first;  // the token is the canonical record
      ++records;
    }
    EXPECT_EQ(records, kind.ops.size());
  }
}

TEST(FuzzAssetsTest, HeaderAndScheduleTokens) {
  const std::vector<DictEntry> entries = BinaryDictionary(prog::OpSet::All());
  int headers = 0;
  for (const DictEntry& e : entries) {
    if (e.name.rfind("header_", 0) == 0) {
      ++headers;
      const prog::Program p = prog::Decode(e.bytes);
      EXPECT_EQ(e.name.substr(7, 1), std::to_string(p.threads.size())) << e.name;
      EXPECT_EQ(p.num_ops(), 0);
      EXPECT_EQ(e.name.substr(e.name.rfind('_') + 1), prog::StrategyName(p.header.strategy));
    }
    if (e.name.rfind("schedule_", 0) == 0) {
      EXPECT_EQ(e.bytes.front(), prog::kScheduleSeparator) << e.name;
    }
  }
  EXPECT_EQ(headers, prog::kMaxThreads * prog::kNumStrategies);
}

TEST(FuzzAssetsTest, MaxLenIsTheLongestInputWhoseBytesAllMatter) {
  for (const char* fuzzer : {"memslots_fuzzer", "xen_fuzzer", "vm_fuzzer"}) {
    SCOPED_TRACE(fuzzer);
    const FuzzerKind kind = *KindOfFuzzer(fuzzer);
    const size_t max_len = MaxUsefulInputLength(kind.ops);
    // The op with the longest record, on every thread, as many times as allowed.
    size_t longest = 0;
    uint16_t longest_op = 0;
    for (size_t op = 0; op < model::Operations().size(); ++op) {
      if (!kind.ops.Contains(static_cast<uint16_t>(op))) continue;
      prog::Program one;
      one.threads[0].push_back(model::OpCall{static_cast<uint16_t>(op), {}});
      if (prog::Encode(one).size() > longest) {
        longest = prog::Encode(one).size();
        longest_op = static_cast<uint16_t>(op);
      }
    }
    prog::Program full;
    full.threads.assign(prog::kMaxThreads,
                        std::vector<model::OpCall>(prog::kMaxOpsPerThread, {longest_op, {}}));
    full.schedule.assign(prog::kMaxScheduleBytes, 1);
    std::vector<uint8_t> bytes = prog::Encode(full);
    EXPECT_EQ(bytes.size(), max_len);
    // One byte more changes nothing: the decoder has no use for it.
    std::vector<uint8_t> longer = bytes;
    longer.push_back(0);
    EXPECT_TRUE(prog::Decode(longer, {kind.ops}) == prog::Decode(bytes, {kind.ops}));
  }
  EXPECT_GT(MaxUsefulTextLength(), MaxUsefulInputLength(prog::OpSet::All()));
}

TEST(FuzzAssetsTest, OptionsNameTheDictionaryAndMaxLen) {
  const std::string options = RenderOptions("gpc_fuzzer", 1234);
  EXPECT_NE(options.find("[libfuzzer]\n"), std::string::npos);
  EXPECT_NE(options.find("\nmax_len = 1234\n"), std::string::npos);
  EXPECT_NE(options.find("\ndict = gpc_fuzzer.dict\n"), std::string::npos);
}

TEST(FuzzAssetsTest, UnknownFuzzerNames) {
  EXPECT_FALSE(KindOfFuzzer("nope_fuzzer").has_value());
  EXPECT_FALSE(KindOfFuzzer("memslots").has_value());
  EXPECT_FALSE(KindOfFuzzer("_fuzzer").has_value());
  EXPECT_TRUE(KindOfFuzzer("prog_codec_fuzzer")->text);
}

// Every seed keeps its meaning under its fuzzer once the ops of other slices are left out (an
// op outside the slice would decode as a different op, OpSet::FromByte), and leaving out keeps
// every op of the slice, in order. The whole-VM fuzzer runs every seed unchanged.
TEST(FuzzAssetsTest, SeedsDecodeToThemselvesUnderTheirFuzzer) {
  const std::filesystem::path corpus = std::filesystem::path(HVFUZZ_SOURCE_DIR) / "corpus";
  const FuzzerKind vm = *KindOfFuzzer("vm_fuzzer");
  int seeds = 0;
  for (const char* slice : {"memslots", "mmu", "gpc", "xen", "global", "vm"}) {
    const FuzzerKind kind = *KindOfFuzzer(std::string(slice) + "_fuzzer");
    if (!std::filesystem::is_directory(corpus / slice)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(corpus / slice)) {
      if (entry.path().extension() != ".hvp") continue;
      SCOPED_TRACE(entry.path().string());
      std::ifstream in(entry.path(), std::ios::binary);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      prog::ParseResult r = prog::Parse(text, prog::ParseMode::kStrict, entry.path().string());
      ASSERT_TRUE(r.ok()) << r.error->ToString();
      std::vector<std::string> dropped;
      const prog::Program seed = RestrictToOps(*r.program, kind.ops, &dropped);
      EXPECT_TRUE(prog::Decode(prog::Encode(seed), {kind.ops}) == seed);
      EXPECT_EQ(seed.num_ops() + static_cast<int>(dropped.size()), r.program->num_ops());
      for (size_t t = 0; t < seed.threads.size(); ++t) {
        std::vector<uint16_t> expected;
        for (const model::OpCall& c : r.program->threads[t]) {
          if (kind.ops.Contains(c.op)) expected.push_back(c.op);
        }
        std::vector<uint16_t> kept;
        for (const model::OpCall& c : seed.threads[t]) kept.push_back(c.op);
        EXPECT_EQ(kept, expected);
      }
      std::vector<std::string> none;
      EXPECT_TRUE(RestrictToOps(*r.program, vm.ops, &none) == *r.program);
      EXPECT_TRUE(none.empty());
      ++seeds;
    }
  }
  EXPECT_GT(seeds, 0);
}

}  // namespace
}  // namespace hvfuzz::targets
