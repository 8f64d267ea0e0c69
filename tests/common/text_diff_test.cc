#include "common/text_diff.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace cambrian {
namespace {

namespace fs = std::filesystem;

TEST(UnifiedFileDiffTest, IdenticalIsEmpty) {
  EXPECT_EQ(UnifiedFileDiff("f.txt", "a\nb\n", "a\nb\n"), "");
  EXPECT_EQ(UnifiedFileDiff("f.txt", "", ""), "");
  EXPECT_EQ(UnifiedProgramDiff({{"x", "1\n"}}, {{"x", "1\n"}}), "");
}

TEST(UnifiedFileDiffTest, SingleChange) {
  EXPECT_EQ(
      UnifiedFileDiff("src/f.cc", "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nX\n6\n7\n8\n9\n"),
      "diff --git a/src/f.cc b/src/f.cc\n"
      "--- a/src/f.cc\n"
      "+++ b/src/f.cc\n"
      "@@ -2,7 +2,7 @@\n"
      " 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n");
}

TEST(UnifiedFileDiffTest, InsertAtStartAndEnd) {
  EXPECT_EQ(UnifiedFileDiff("f", "a\nb\n", "x\na\nb\n", 0),
            "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -0,0 +1,1 @@\n+x\n");
  EXPECT_EQ(UnifiedFileDiff("f", "a\nb\n", "x\na\nb\n"),
            "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n+x\n a\n b\n");
  EXPECT_EQ(UnifiedFileDiff("f", "a\nb\n", "a\nb\ny\n", 0),
            "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -2,0 +3,1 @@\n+y\n");
}

TEST(UnifiedFileDiffTest, DeleteAll) {
  EXPECT_EQ(UnifiedFileDiff("f", "a\nb\n", ""),
            "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,2 +0,0 @@\n-a\n-b\n");
}

TEST(UnifiedFileDiffTest, NoTrailingNewline) {
  EXPECT_EQ(UnifiedFileDiff("f", "a\nb", "a\nb\n"),
            "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n"
            "\\ No newline at end of file\n+b\n");
  EXPECT_EQ(UnifiedFileDiff("f", "a\nb", "a\nc"),
            "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n"
            "\\ No newline at end of file\n+c\n\\ No newline at end of file\n");
  // An unchanged last line without a newline is context, with the marker.
  EXPECT_EQ(UnifiedFileDiff("f", "a\nb", "z\nb"),
            "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n-a\n+z\n b\n"
            "\\ No newline at end of file\n");
}

TEST(UnifiedFileDiffTest, DistantChangesMakeTwoHunks) {
  std::string before, after;
  for (int i = 1; i <= 20; ++i) {
    before += std::to_string(i) + "\n";
    after += (i == 3 || i == 17 ? "x" : std::to_string(i)) + "\n";
  }
  const std::string diff = UnifiedFileDiff("f", before, after, 2);
  EXPECT_NE(diff.find("@@ -1,5 +1,5 @@\n 1\n 2\n-3\n+x\n 4\n 5\n"), std::string::npos) << diff;
  EXPECT_NE(diff.find("@@ -15,5 +15,5 @@\n 15\n 16\n-17\n+x\n 18\n 19\n"), std::string::npos)
      << diff;
  // With a context of 7 the gap of 13 lines is under 2 * 7: one hunk.
  EXPECT_NE(UnifiedFileDiff("f", before, after, 7).find("@@ -1,20 +1,20 @@\n"), std::string::npos);
}

TEST(UnifiedProgramDiffTest, AddedAndDeletedFiles) {
  const Program before = {{"gone.txt", "old\n"}, {"same", "s\n"}, {"empty_gone", ""}};
  const Program after = {{"new.txt", "n1\nn2"}, {"same", "s\n"}, {"empty_new", ""}};
  EXPECT_EQ(UnifiedProgramDiff(before, after),
            "diff --git a/empty_gone b/empty_gone\n"
            "deleted file mode 100644\n"
            "diff --git a/empty_new b/empty_new\n"
            "new file mode 100644\n"
            "diff --git a/gone.txt b/gone.txt\n"
            "deleted file mode 100644\n"
            "--- a/gone.txt\n"
            "+++ /dev/null\n"
            "@@ -1,1 +0,0 @@\n"
            "-old\n"
            "diff --git a/new.txt b/new.txt\n"
            "new file mode 100644\n"
            "--- /dev/null\n"
            "+++ b/new.txt\n"
            "@@ -0,0 +1,2 @@\n"
            "+n1\n"
            "+n2\n"
            "\\ No newline at end of file\n");
}

TEST(UnifiedProgramDiffTest, QuotesUnusualPaths) {
  const std::string diff = UnifiedFileDiff("we\"ird\\.txt", "", "x\n");
  EXPECT_EQ(diff.substr(0, diff.find('\n')),
            "diff --git \"a/we\\\"ird\\\\.txt\" \"b/we\\\"ird\\\\.txt\"");
  // GNU patch needs the tab git puts after names with spaces.
  EXPECT_EQ(UnifiedFileDiff("a b", "1\n", "2\n"),
            "diff --git a/a b b/a b\n--- a/a b\t\n+++ b/a b\t\n@@ -1,1 +1,1 @@\n-1\n+2\n");
}

// --- Applying diffs with the real tools -------------------------------------

// Number of '+' and '-' lines: for a diff of single-file content, this is the
// edit distance when the diff is minimal.
int CountEdits(const std::string& diff) {
  std::istringstream in(diff);
  int edits = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("+++ ", 0) == 0 || line.rfind("--- ", 0) == 0) continue;
    edits += !line.empty() && (line[0] == '+' || line[0] == '-');
  }
  return edits;
}

int LcsLength(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::vector<int>> t(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
    }
  }
  return t[a.size()][b.size()];
}

std::vector<std::string> RandomLines(std::mt19937& rng, int max_lines) {
  // A small vocabulary makes many equal lines, so diffs have to choose.
  static const char* const kWords[] = {"a", "b", "c", "", "  x = 1;", "}", "d"};
  std::vector<std::string> lines(std::uniform_int_distribution<int>(0, max_lines)(rng));
  for (std::string& line : lines) line = kWords[std::uniform_int_distribution<int>(0, 6)(rng)];
  return lines;
}

std::vector<std::string> Mutate(std::mt19937& rng, std::vector<std::string> lines) {
  const int edits = std::uniform_int_distribution<int>(1, 8)(rng);
  for (int e = 0; e < edits; ++e) {
    const int pos = std::uniform_int_distribution<int>(0, static_cast<int>(lines.size()))(rng);
    const std::string word = "w" + std::to_string(rng() % 5);
    switch (rng() % 3) {
      case 0:
        lines.insert(lines.begin() + pos, word);
        break;
      case 1:
        if (pos < static_cast<int>(lines.size())) lines.erase(lines.begin() + pos);
        break;
      default:
        if (pos < static_cast<int>(lines.size())) lines[pos] = word;
    }
  }
  return lines;
}

std::string Join(const std::vector<std::string>& lines, bool final_newline) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    out += lines[i];
    if (i + 1 < lines.size() || final_newline) out += "\n";
  }
  return out;
}

TEST(UnifiedFileDiffTest, RandomDiffsAreMinimal) {
  std::mt19937 rng(7);
  for (int round = 0; round < 500; ++round) {
    const std::vector<std::string> a = RandomLines(rng, 30);
    const std::vector<std::string> b = rng() % 4 ? Mutate(rng, a) : RandomLines(rng, 30);
    const int distance = static_cast<int>(a.size() + b.size()) - 2 * LcsLength(a, b);
    EXPECT_EQ(CountEdits(UnifiedFileDiff("f", Join(a, true), Join(b, true))), distance)
        << "round " << round;
  }
}

class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "text_diff_test.XXXXXX").string();
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void WriteTree(const fs::path& root, const Program& program) {
  for (const auto& [path, content] : program) {
    fs::create_directories((root / path).parent_path());
    std::ofstream(root / path, std::ios::binary) << content;
  }
}

Program ReadTree(const fs::path& root) {
  Program program;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string rel = fs::relative(entry.path(), root).string();
    if (rel.rfind(".git", 0) == 0 || !entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    program[rel] = content.str();
  }
  return program;
}

// Applies `diff` to `before` with `apply_command` (run in the tree, patch
// file as $1) and returns the resulting tree.
Program ApplyWith(const std::string& apply_command, const Program& before,
                  const std::string& diff) {
  TempDir dir;
  const fs::path tree = dir.path() / "tree";
  fs::create_directories(tree);
  WriteTree(tree, before);
  std::ofstream(dir.path() / "p.diff", std::ios::binary) << diff;
  const std::string command =
      "cd '" + tree.string() + "' && sh -c '" + apply_command + "' apply ../p.diff >../log 2>&1";
  if (std::system(command.c_str()) != 0) {
    std::ifstream log(dir.path() / "log");
    std::ostringstream text;
    text << log.rdbuf();
    ADD_FAILURE() << apply_command << " failed:\n" << text.str() << "\n" << diff;
  }
  return ReadTree(tree);
}

Program RandomProgram(std::mt19937& rng) {
  Program program;
  static const char* const kPaths[] = {"main.cc", "lib/util.h",        "lib/util.cc",
                                       "README",  "my dir/sp ace.txt", "we\"ird\\name"};
  for (const char* path : kPaths) {
    if (rng() % 4 == 0) continue;
    program[path] = Join(RandomLines(rng, 40), rng() % 5 != 0);
  }
  return program;
}

Program MutateProgram(std::mt19937& rng, Program program) {
  for (auto& [path, content] : program) {
    if (rng() % 3 == 0) continue;
    std::vector<std::string> lines;
    std::istringstream in(content);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    content = Join(Mutate(rng, lines), rng() % 5 != 0);
  }
  if (rng() % 3 == 0 && !program.empty()) program.erase(program.begin());
  if (rng() % 3 == 0) program["added/new.txt"] = Join(RandomLines(rng, 5), rng() % 2);
  return program;
}

// `rounds` random program edits with `min_context`..`min_context + 3` lines
// of context.
void CheckRandomApply(const std::string& apply_command, int rounds, int min_context) {
  std::mt19937 rng(42);
  for (int round = 0; round < rounds; ++round) {
    const Program before = RandomProgram(rng);
    const Program after = MutateProgram(rng, before);
    const int context = min_context + static_cast<int>(rng() % 4);
    const std::string diff = UnifiedProgramDiff(before, after, context);
    if (diff.empty()) {  // the tools reject an empty patch
      EXPECT_EQ(before, after);
      continue;
    }
    EXPECT_EQ(ApplyWith(apply_command, before, diff), after) << "round " << round << "\n" << diff;
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(UnifiedProgramDiffTest, GitApplyReproducesAfter) {
  if (std::system("git --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "git not installed";
  CheckRandomApply("git init -q . && git apply --whitespace=nowarn \"$1\"", 60, 1);
}

TEST(UnifiedProgramDiffTest, GitApplyAcceptsZeroContext) {
  if (std::system("git --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "git not installed";
  CheckRandomApply("git init -q . && git apply --unidiff-zero --whitespace=nowarn \"$1\"", 30, 0);
}

TEST(UnifiedProgramDiffTest, PatchReproducesAfter) {
  if (std::system("patch --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "patch not installed";
  CheckRandomApply("patch -p1 -s -f --no-backup-if-mismatch -i \"$1\"", 60, 0);
}

}  // namespace
}  // namespace cambrian
