#include "mutators/edit_policy.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cambrian::mutators {
namespace {

using ::testing::HasSubstr;

const char kBlocked[] =
    "#include <x>\n"              // 1
    "// EVOLVE-BLOCK-START\n"     // 2
    "int tile = 32;\n"            // 3
    "// EVOLVE-BLOCK-END\n"       // 4
    "int main() { return 0; }\n"  // 5
    "// EVOLVE-BLOCK-START\n"     // 6
    "int unroll = 4;\n"           // 7
    "// EVOLVE-BLOCK-END\n";      // 8

Program Parent() {
  return {{"src/kernel.cpp", kBlocked},
          {"src/util.cpp", "int util() { return 1; }\n"},
          {"harness/bench.cpp", "int bench();\n"}};
}

const std::vector<std::string> kEditable = {"src/*.cpp"};

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

void ExpectDenied(const Program& child, const std::string& reason) {
  absl::Status status = CheckEditAllowed(Parent(), child, kEditable);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(reason));
}

TEST(MatchesAnyGlobTest, FnmatchWithoutPathnameFlag) {
  EXPECT_TRUE(MatchesAnyGlob("matmul.cpp", {"matmul.cpp"}));
  EXPECT_FALSE(MatchesAnyGlob("matmul.cpp", {"matmul.cc"}));
  EXPECT_TRUE(MatchesAnyGlob("src/a.cpp", {"src/*.cpp"}));
  EXPECT_TRUE(MatchesAnyGlob("src/sub/b.cpp", {"src/*.cpp"}));
  EXPECT_FALSE(MatchesAnyGlob("lib/a.cpp", {"src/*.cpp"}));
  EXPECT_TRUE(MatchesAnyGlob("deep/dir/x.py", {"**"}));
  EXPECT_TRUE(MatchesAnyGlob(".hidden", {"*"}));
  EXPECT_TRUE(MatchesAnyGlob("k3.cu", {"x", "k?.cu"}));
  EXPECT_FALSE(MatchesAnyGlob("a.py", {}));
}

TEST(EvolveBlocksTest, FindsRegions) {
  absl::StatusOr<std::vector<Region>> blocks = EvolveBlocks(kBlocked);
  ASSERT_TRUE(blocks.ok()) << blocks.status();
  ASSERT_EQ(blocks->size(), 2u);
  EXPECT_EQ((*blocks)[0].start_line, 2);
  EXPECT_EQ((*blocks)[0].end_line, 4);
  std::string content = kBlocked;
  EXPECT_EQ(content.substr((*blocks)[0].begin, (*blocks)[0].end - (*blocks)[0].begin),
            "int tile = 32;\n");
  EXPECT_EQ((*blocks)[1].start_line, 6);
  EXPECT_TRUE(EvolveBlocks("no markers\n")->empty());
}

TEST(EvolveBlocksTest, UnbalancedMarkersNameTheLine) {
  auto message = [](const std::string& content) {
    return std::string(EvolveBlocks(content).status().message());
  };
  EXPECT_THAT(message("a\n# EVOLVE-BLOCK-END\n"), HasSubstr("line 2"));
  EXPECT_THAT(message("# EVOLVE-BLOCK-START\nx\n# EVOLVE-BLOCK-START\n"), HasSubstr("line 3"));
  EXPECT_THAT(message("x\n\n# EVOLVE-BLOCK-START\nx\n"), HasSubstr("line 3"));
}

TEST(CheckEditAllowedTest, AcceptsChangesInsideBlocks) {
  Program child = Parent();
  child["src/kernel.cpp"] = Replace(kBlocked, "int tile = 32;\n", "int tile = 64;\nint extra;\n");
  child["src/kernel.cpp"] = Replace(child["src/kernel.cpp"], "unroll = 4", "unroll = 8");
  EXPECT_TRUE(CheckEditAllowed(Parent(), child, kEditable).ok());
  EXPECT_TRUE(CheckEditAllowed(Parent(), Parent(), kEditable).ok());
}

TEST(CheckEditAllowedTest, AcceptsEditableFilesWithoutMarkers) {
  Program child = Parent();
  child["src/util.cpp"] = "int util() { return 2; }\n";
  child["src/new.cpp"] = "int fresh;\n";
  EXPECT_TRUE(CheckEditAllowed(Parent(), child, kEditable).ok());
  child.erase("src/util.cpp");
  EXPECT_TRUE(CheckEditAllowed(Parent(), child, kEditable).ok());
}

TEST(CheckEditAllowedTest, RejectsChangeToNonEditableFile) {
  Program child = Parent();
  child["harness/bench.cpp"] = "int bench() { return 0; }\n";
  ExpectDenied(child, "harness/bench.cpp: the proposal changes a file no editable glob matches");
}

TEST(CheckEditAllowedTest, RejectsNewFileOutsideGlobs) {
  Program child = Parent();
  child["evil.sh"] = "rm -rf /\n";
  ExpectDenied(child, "evil.sh: the proposal adds");
}

TEST(CheckEditAllowedTest, RejectsDeletions) {
  Program child = Parent();
  child.erase("harness/bench.cpp");
  ExpectDenied(child, "harness/bench.cpp: the proposal deletes");
  child = Parent();
  child.erase("src/kernel.cpp");
  ExpectDenied(child, "deletes a file with EVOLVE-BLOCK markers");
}

TEST(CheckEditAllowedTest, RejectsChangeOutsideBlockNamingLine) {
  Program child = Parent();
  child["src/kernel.cpp"] = Replace(kBlocked, "return 0;", "return 1;");
  ExpectDenied(child, "src/kernel.cpp: line 5 is outside every EVOLVE-BLOCK");
  child["src/kernel.cpp"] = std::string(kBlocked) + "int tail;\n";
  ExpectDenied(child, "line 9");
}

TEST(CheckEditAllowedTest, RejectsMarkerRemovedMovedOrAdded) {
  Program child = Parent();
  child["src/kernel.cpp"] = Replace(kBlocked, "// EVOLVE-BLOCK-END\nint main", "int main");
  ExpectDenied(child, "src/kernel.cpp");
  child["src/kernel.cpp"] = Replace(kBlocked, "// EVOLVE-BLOCK-START\nint tile = 32;\n",
                                    "int tile = 32;\n// EVOLVE-BLOCK-START\n");
  ExpectDenied(child, "line 2");
  child["src/kernel.cpp"] =
      Replace(kBlocked, "// EVOLVE-BLOCK-START\nint unroll = 4;\n// EVOLVE-BLOCK-END\n", "");
  ExpectDenied(child, "markers added or removed");
  child = Parent();
  child["src/util.cpp"] = "// EVOLVE-BLOCK-START\nint util();\n// EVOLVE-BLOCK-END\n";
  ExpectDenied(child, "adds EVOLVE-BLOCK markers");
  child["src/util.cpp"] = "// EVOLVE-BLOCK-START\n";
  ExpectDenied(child, "never closed");
}

TEST(CheckEditAllowedTest, RejectsPathsThatEscape) {
  Program child = Parent();
  child["src/../../etc/passwd.cpp"] = "x";
  ExpectDenied(child, "not a plain relative path");
  child = Parent();
  child["/abs.cpp"] = "x";
  absl::Status status = CheckEditAllowed(Parent(), child, {"*"});
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
}

TEST(CheckEditAllowedTest, BrokenParentIsInvalidArgument) {
  Program parent = {{"a.py", "# EVOLVE-BLOCK-START\nx = 1\n"}};
  Program child = {{"a.py", "# EVOLVE-BLOCK-START\nx = 2\n"}};
  EXPECT_EQ(CheckEditAllowed(parent, child, {"*"}).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cambrian::mutators
