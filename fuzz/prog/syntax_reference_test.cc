// SPDX-License-Identifier: Apache-2.0
// SYNTAX.md's generated section (syntax_reference.h) must match the model's tables. Run with
// --update_golden to rewrite it: ./syntax_reference_test --update_golden
#include "fuzz/prog/syntax_reference.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "fuzz/prog/text_codec.h"
#include "model/operations.h"

namespace hvfuzz::prog {
namespace {

bool update_golden = false;
const std::string kPath = std::string(HVFUZZ_SOURCE_DIR) + "/fuzz/prog/SYNTAX.md";

std::string ReadSyntaxMd() {
  std::ifstream in(kPath);
  EXPECT_TRUE(in) << "cannot read " << kPath;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(SyntaxReferenceTest, SyntaxMdListsEveryOperation) {
  const std::string doc = ReadSyntaxMd();
  const size_t begin = doc.find(kGeneratedBegin);
  const size_t end = doc.find(kGeneratedEnd);
  ASSERT_NE(begin, std::string::npos) << kPath << " lacks the marker " << kGeneratedBegin;
  ASSERT_NE(end, std::string::npos) << kPath << " lacks the marker " << kGeneratedEnd;
  const size_t body = begin + kGeneratedBegin.size() + 1;  // after the marker's newline
  const std::string expected = SyntaxReference();
  if (update_golden) {
    std::ofstream(kPath) << doc.substr(0, body) << expected << doc.substr(end);
    GTEST_SKIP() << "rewrote " << kPath;
  }
  EXPECT_EQ(doc.substr(body, end - body), expected)
      << kPath << " is stale: run syntax_reference_test --update_golden";
}

TEST(SyntaxReferenceTest, SyntaxMdExampleIsCanonical) {
  const std::string doc = ReadSyntaxMd();
  const size_t begin = doc.find("```\n# hvfuzz-prog v1\n");
  ASSERT_NE(begin, std::string::npos) << "SYNTAX.md has no example program";
  const size_t text = begin + 4;
  const std::string example = doc.substr(text, doc.find("```", text) - text);
  const ParseResult r = Parse(example, ParseMode::kStrict, "SYNTAX.md");
  ASSERT_TRUE(r.ok()) << r.error->ToString();
  EXPECT_EQ(Print(*r.program), example);
}

TEST(SyntaxReferenceTest, NamesEveryOperationAndShapeField) {
  const std::string ref = SyntaxReference();
  for (const model::OpSpec& spec : model::Operations()) {
    EXPECT_NE(ref.find("- `" + std::string(spec.name)), std::string::npos) << spec.name;
  }
  EXPECT_NE(ref.find("| `vcpus` |"), std::string::npos);
}

}  // namespace
}  // namespace hvfuzz::prog

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--update_golden") hvfuzz::prog::update_golden = true;
  }
  return RUN_ALL_TESTS();
}
