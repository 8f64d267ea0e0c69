#include "mutators/llm/edit_format.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cambrian::mutators {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

const std::vector<std::string> kAll = {"*.cpp", "*.py"};

Program Mm() {
  return {{"mm.cpp",
           "int main() {\n"
           "  for (int i = 0; i < n; ++i) {\n"
           "    sum += a[i];\n"
           "  }\n"
           "  return 0;\n"
           "}\n"},
          {"util.py", "def f(x):\n    return x + 1\n"},
          {"bench.h", "// trusted-ish, not editable\n"}};
}

std::string Block(const std::string& path, const std::string& search, const std::string& replace) {
  return path + "\n<<<<<<< SEARCH\n" + search + "=======\n" + replace + ">>>>>>> REPLACE\n";
}

void ExpectRejected(const absl::StatusOr<EditResult>& result,
                    const std::vector<std::string>& fragments) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition) << result.status();
  for (const std::string& fragment : fragments) {
    EXPECT_THAT(std::string(result.status().message()), HasSubstr(fragment));
  }
}

TEST(SearchReplaceTest, ExactMatch) {
  std::string reply =
      "Use a wider type.\n\n" + Block("mm.cpp", "    sum += a[i];\n", "    sum += (long)a[i];\n");
  absl::StatusOr<EditResult> result = ApplySearchReplace(reply, Mm(), kAll);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->program.at("mm.cpp"), HasSubstr("    sum += (long)a[i];\n  }\n"));
  EXPECT_EQ(result->program.at("util.py"), Mm().at("util.py"));
  EXPECT_EQ(result->summary, "1 SEARCH/REPLACE block in mm.cpp");
}

TEST(SearchReplaceTest, ToleratesTrailingWhitespace) {
  std::string reply = Block("mm.cpp", "    sum += a[i];   \n  }\t\n", "    sum -= a[i];\n  }\n");
  absl::StatusOr<EditResult> result = ApplySearchReplace(reply, Mm(), kAll);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->program.at("mm.cpp"), HasSubstr("\n    sum -= a[i];\n  }\n  return 0;"));
}

TEST(SearchReplaceTest, ToleratesIndentationAndReindentsTheReplacement) {
  // The model dropped the loop's two-space indentation.
  std::string reply =
      Block("mm.cpp", "for (int i = 0; i < n; ++i) {\n  sum += a[i];\n}\n",
            "for (int i = 0; i < n; i += 2) {\n  sum += a[i];\n\n  sum += a[i + 1];\n}\n");
  absl::StatusOr<EditResult> result = ApplySearchReplace(reply, Mm(), kAll);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->program.at("mm.cpp"),
            "int main() {\n"
            "  for (int i = 0; i < n; i += 2) {\n"
            "    sum += a[i];\n"
            "\n"
            "    sum += a[i + 1];\n"
            "  }\n"
            "  return 0;\n"
            "}\n");
}

TEST(SearchReplaceTest, ToleratesExtraIndentationAndRemovesIt) {
  std::string reply = Block("util.py", "        return x + 1\n", "        return x + 2\n");
  absl::StatusOr<EditResult> result = ApplySearchReplace(reply, Mm(), kAll);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->program.at("util.py"), "def f(x):\n    return x + 2\n");
}

TEST(SearchReplaceTest, MultipleBlocksInSeveralFilesWithDecoratedPaths) {
  std::string reply =
      "First the loop.\n\n### mm.cpp\n```cpp\n<<<<<<< SEARCH\n  return 0;\n=======\n"
      "  return 1;\n>>>>>>> REPLACE\n```\n\n```cpp\n<<<<<<< SEARCH\nint main() {\n=======\n"
      "int main(void) {\n>>>>>>> REPLACE\n```\n\nFile: `util.py`\n```python\n<<<<<<< SEARCH\n"
      "def f(x):\n=======\ndef f(x: int):\n>>>>>>> REPLACE\n```\n";
  absl::StatusOr<EditResult> result = ApplySearchReplace(reply, Mm(), kAll);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->program.at("mm.cpp"),
              AllOf(HasSubstr("int main(void) {\n"), HasSubstr("  return 1;\n")));
  EXPECT_EQ(result->program.at("util.py"), "def f(x: int):\n    return x + 1\n");
  EXPECT_EQ(result->summary, "3 SEARCH/REPLACE blocks in mm.cpp, util.py");
}

TEST(SearchReplaceTest, SoleEditableFileNeedsNoPath) {
  Program one = {{"a.py", "x = 1\n"}};
  absl::StatusOr<EditResult> result =
      ApplySearchReplace("<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n", one, kAll);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->program.at("a.py"), "x = 2\n");
}

TEST(SearchReplaceTest, RejectsNoMatch) {
  std::string reply = Block("mm.cpp", "  return 0;\n", "  return 1;\n") +
                      Block("mm.cpp", "  while (true) {\n", "  do {\n");
  ExpectRejected(ApplySearchReplace(reply, Mm(), kAll),
                 {"block 2", "mm.cpp", "SEARCH starting \"while (true) {\"", "matches nowhere"});
}

TEST(SearchReplaceTest, RejectsTwoMatches) {
  Program twice = {{"a.cpp", "x++;\ny++;\nx++;\n"}};
  ExpectRejected(ApplySearchReplace(Block("a.cpp", "x++;\n", "x += 2;\n"), twice, kAll),
                 {"block 1", "a.cpp", "\"x++;\"", "matches 2 places", "lines 1, 3"});
}

TEST(SearchReplaceTest, RejectsUnknownFile) {
  ExpectRejected(ApplySearchReplace(Block("src/nope.cpp", "x\n", "y\n"), Mm(), kAll),
                 {"block 1", "no file \"src/nope.cpp\"", "mm.cpp, util.py"});
}

TEST(SearchReplaceTest, RejectsNonEditableFile) {
  ExpectRejected(ApplySearchReplace(Block("bench.h", "// trusted-ish, not editable\n", "// mine\n"),
                                    Mm(), kAll),
                 {"block 1 (bench.h", "bench.h is not editable"});
}

TEST(SearchReplaceTest, RejectsChangesOutsideEvolveBlock) {
  Program marked = {
      {"k.cpp", "int fixed = 1;\n// EVOLVE-BLOCK-START\nint tile = 8;\n// EVOLVE-BLOCK-END\n"}};
  EXPECT_TRUE(
      ApplySearchReplace(Block("k.cpp", "int tile = 8;\n", "int tile = 16;\n"), marked, kAll).ok());
  std::string reply = Block("k.cpp", "int tile = 8;\n", "int tile = 16;\n") +
                      Block("k.cpp", "int fixed = 1;\n", "int fixed = 2;\n");
  ExpectRejected(ApplySearchReplace(reply, marked, kAll),
                 {"block 2", "k.cpp", "\"int fixed = 1;\"", "outside every EVOLVE-BLOCK"});
  ExpectRejected(ApplySearchReplace(Block("k.cpp", "// EVOLVE-BLOCK-END\n", ""), marked, kAll),
                 {"block 1", "EVOLVE-BLOCK"});
}

TEST(SearchReplaceTest, RejectsMalformedMarkers) {
  ExpectRejected(
      ApplySearchReplace("mm.cpp\n<<<<<<< SEARCH\n  return 0;\n>>>>>>> REPLACE\n", Mm(), kAll),
      {"block 1", "mm.cpp", "REPLACE before its ======="});
  ExpectRejected(
      ApplySearchReplace("mm.cpp\n<<<<<<< SEARCH\n  return 0;\n=======\n  return 1;\n", Mm(), kAll),
      {"block 1", "missing >>>>>>> REPLACE"});
  ExpectRejected(ApplySearchReplace("done\n>>>>>>> REPLACE\n", Mm(), kAll),
                 {"line 2", "without a <<<<<<< SEARCH"});
}

TEST(SearchReplaceTest, RejectsAReplyWithoutBlocks) {
  ExpectRejected(ApplySearchReplace("I think the code is fine as it is.\n", Mm(), kAll),
                 {"no SEARCH/REPLACE blocks"});
}

TEST(SearchReplaceTest, RejectsEmptySearch) {
  ExpectRejected(ApplySearchReplace(Block("mm.cpp", "\n", "// new\n"), Mm(), kAll),
                 {"block 1", "mm.cpp", "empty SEARCH"});
}

TEST(SearchReplaceTest, RejectsANoOp) {
  ExpectRejected(ApplySearchReplace(Block("mm.cpp", "  return 0;\n", "  return 0;\n"), Mm(), kAll),
                 {"unchanged"});
}

TEST(SearchReplaceTest, KeepsAMissingFinalNewline) {
  Program bare = {{"a.py", "x = 1\ny = 2"}};
  absl::StatusOr<EditResult> result =
      ApplySearchReplace(Block("a.py", "y = 2\n", "y = 3\n"), bare, kAll);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->program.at("a.py"), "x = 1\ny = 3");
}

TEST(SearchReplaceTest, KeepsCrlfLineEndings) {
  Program dos = {{"a.py", "x = 1\r\ny = 2\r\n"}};
  absl::StatusOr<EditResult> result =
      ApplySearchReplace(Block("a.py", "y = 2\n", "y = 3\nz = 4\n"), dos, kAll);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->program.at("a.py"), "x = 1\r\ny = 3\r\nz = 4\r\n");
}

TEST(RewriteTest, WholeFileWithPathInFence) {
  std::string reply = "Simpler.\n\n```python util.py\ndef f(x):\n    return 1 + x\n```\n";
  absl::StatusOr<EditResult> result = ApplyRewrite(reply, Mm(), kAll);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->program.at("util.py"), "def f(x):\n    return 1 + x\n");
  EXPECT_EQ(result->program.at("mm.cpp"), Mm().at("mm.cpp"));
  EXPECT_EQ(result->summary, "rewrote util.py");
}

TEST(RewriteTest, PathOnThePrecedingLine) {
  std::string reply = "**util.py**\n```python\ndef f(x):\n    return x\n```\n";
  absl::StatusOr<EditResult> result = ApplyRewrite(reply, Mm(), kAll);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->program.at("util.py"), "def f(x):\n    return x\n");
}

Program Marked() {
  return {
      {"k.cpp",
       "#include <x>\n// EVOLVE-BLOCK-START\nint tile = 8;\n// EVOLVE-BLOCK-END\nint main() {}\n"}};
}

TEST(RewriteTest, BlockContentOnlyIsSpliced) {
  absl::StatusOr<EditResult> result =
      ApplyRewrite("```cpp k.cpp\nint tile = 16;\nint unroll = 4;\n```\n", Marked(), kAll);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->program.at("k.cpp"),
            "#include <x>\n// EVOLVE-BLOCK-START\nint tile = 16;\nint unroll = 4;\n"
            "// EVOLVE-BLOCK-END\nint main() {}\n");
  EXPECT_EQ(result->summary, "rewrote the EVOLVE-BLOCKs of k.cpp");
}

TEST(RewriteTest, BlockWithItsMarkersIsSpliced) {
  absl::StatusOr<EditResult> result = ApplyRewrite(
      "k.cpp\n```cpp\n// EVOLVE-BLOCK-START\nint tile = 32;\n// EVOLVE-BLOCK-END\n```\n", Marked(),
      kAll);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->program.at("k.cpp"),
              HasSubstr("START\nint tile = 32;\n// EVOLVE-BLOCK-END\nint main"));
}

TEST(RewriteTest, WholeFileWithMarkersMustKeepTheOutside) {
  std::string good = Marked().at("k.cpp");
  good.replace(good.find("8"), 1, "64");
  absl::StatusOr<EditResult> result =
      ApplyRewrite("```cpp k.cpp\n" + good + "```\n", Marked(), kAll);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->program.at("k.cpp"), good);
  std::string bad = good;
  bad.replace(bad.find("int main"), 8, "int main(void)");
  ExpectRejected(ApplyRewrite("```cpp k.cpp\n" + bad + "```\n", Marked(), kAll),
                 {"fenced block 1 (k.cpp)", "outside every EVOLVE-BLOCK"});
}

TEST(RewriteTest, Rejections) {
  ExpectRejected(ApplyRewrite("```cpp bench.h\n// mine\n```\n", Mm(), kAll),
                 {"fenced block 1 (bench.h)", "not editable"});
  ExpectRejected(ApplyRewrite("```cpp other.cpp\nint x;\n```\n", Mm(), kAll),
                 {"no file \"other.cpp\""});
  ExpectRejected(ApplyRewrite("```cpp\nint x;\n```\n", Mm(), kAll), {"names no file"});
  ExpectRejected(ApplyRewrite("```cpp mm.cpp\nint x;\n", Mm(), kAll), {"never closed"});
  ExpectRejected(ApplyRewrite("No code today.\n", Mm(), kAll), {"no fenced code block"});
  ExpectRejected(
      ApplyRewrite("```cpp mm.cpp\nint x;\n```\n```cpp mm.cpp\nint y;\n```\n", Mm(), kAll),
      {"fenced block 2 (mm.cpp)", "twice"});
}

// The other form, where a small model gives it (ApplyEdits).
TEST(LenientEditsTest, AWholeFileAnswerToADiffPromptIsARewrite) {
  const Program one = {{"params.py", "A = 1\nB = 2\nC = 3\nD = 4\n"}};
  // A bare fence, no path: the only editable file.
  absl::StatusOr<EditResult> result =
      ApplyEdits(EditMode::kDiff, "Here:\n```python\nA = 1\nB = 5\nC = 3\nD = 4\n```\n", one, kAll);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->program.at("params.py"), "A = 1\nB = 5\nC = 3\nD = 4\n");
  EXPECT_EQ(result->summary, "rewrote params.py (a whole-file answer to a diff prompt)");
  // Named in the fence, in a program of several files.
  result = ApplyEdits(EditMode::kDiff, "```python util.py\ndef f(x):\n    return 2 * x\n```\n",
                      Mm(), kAll);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->program.at("util.py"), "def f(x):\n    return 2 * x\n");
  // Only an EVOLVE-BLOCK's new content: spliced in, however short.
  result = ApplyEdits(EditMode::kDiff, "```cpp\nint tile = 4;\n```\n", Marked(), kAll);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->program.at("k.cpp"), HasSubstr("START\nint tile = 4;\n// EVOLVE"));
}

TEST(LenientEditsTest, AmbiguousOrFragmentaryAnswersAreRejected) {
  const Program one = {{"params.py", "A = 1\nB = 2\nC = 3\nD = 4\nE = 5\n"}};
  // A fragment (2 of 5 lines) would cut the file.
  ExpectRejected(ApplyEdits(EditMode::kDiff, "```python\nB = 7\nC = 8\n```\n", one, kAll),
                 {"looks like a fragment of params.py", "answer with SEARCH/REPLACE"});
  // Two code blocks: which one is the file?
  ExpectRejected(
      ApplyEdits(EditMode::kDiff, "```python\nA = 1\n```\n```python\nB = 2\n```\n", one, kAll),
      {"2 code blocks"});
  // A bare fence in a program with two editable files names none.
  ExpectRejected(ApplyEdits(EditMode::kDiff, "```\nint x;\n```\n", Mm(), kAll), {"names no file"});
  // Truncated, or no code at all: the diff format's own reasons.
  ExpectRejected(ApplyEdits(EditMode::kDiff, "```python\nA = 1\nB = 9\n", one, kAll),
                 {"never closed"});
  ExpectRejected(ApplyEdits(EditMode::kDiff, "I would change B.\n", one, kAll),
                 {"no SEARCH/REPLACE blocks"});
}

TEST(LenientEditsTest, SearchReplaceAnswerToARewritePromptIsApplied) {
  absl::StatusOr<EditResult> result = ApplyEdits(
      EditMode::kRewrite, Block("util.py", "    return x + 1\n", "    return x + 2\n"), Mm(), kAll);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->program.at("util.py"), "def f(x):\n    return x + 2\n");
  EXPECT_THAT(result->summary, HasSubstr("(SEARCH/REPLACE answer to a rewrite prompt)"));
  // Still every block or none.
  ExpectRejected(ApplyEdits(EditMode::kRewrite, Block("util.py", "nowhere\n", "x\n"), Mm(), kAll),
                 {"matches nowhere"});
}

TEST(ParseSearchReplaceTest, BlocksInheritThePreviousPath) {
  absl::StatusOr<std::vector<SearchReplaceBlock>> blocks = ParseSearchReplace(
      "util.py\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\nand then:\n"
      "<<<<<<< SEARCH\nc\n=======\n>>>>>>> REPLACE\n",
      Mm());
  ASSERT_TRUE(blocks.ok()) << blocks.status();
  ASSERT_EQ(blocks->size(), 2u);
  EXPECT_EQ((*blocks)[1].number, 2);
  EXPECT_EQ((*blocks)[1].path, "util.py");
  EXPECT_EQ((*blocks)[1].search, "c\n");
  EXPECT_EQ((*blocks)[1].replace, "");
}

}  // namespace
}  // namespace cambrian::mutators
