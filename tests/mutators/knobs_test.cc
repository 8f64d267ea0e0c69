#include "mutators/knobs.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cambrian::mutators {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The single knob of a one-file program, failing the test otherwise.
Knob OnlyKnob(const std::string& path, const std::string& content) {
  absl::StatusOr<std::vector<Knob>> knobs = FindKnobs({{path, content}}, {"*"});
  EXPECT_TRUE(knobs.ok()) << knobs.status();
  if (!knobs.ok() || knobs->size() != 1) {
    ADD_FAILURE() << "expected exactly one knob in " << content;
    return Knob{};
  }
  return knobs->front();
}

std::string SpanText(const std::string& content, const Knob& knob) {
  return content.substr(knob.value_begin, knob.value_end - knob.value_begin);
}

absl::Status FindError(const std::string& path, const std::string& content) {
  return FindKnobs({{path, content}}, {"*"}).status();
}

TEST(KnobsTest, ParsesChoicesInCpp) {
  std::string src = "#include <x>\nconstexpr int kTileI = 32;  // @knob choices=8,16,32,64,128\n";
  Knob knob = OnlyKnob("matmul.cpp", src);
  EXPECT_EQ(knob.kind, KnobKind::kChoices);
  EXPECT_EQ(knob.name, "kTileI");
  EXPECT_EQ(knob.line, 2);
  EXPECT_EQ(knob.value, "32");
  EXPECT_THAT(knob.choices, ElementsAre("8", "16", "32", "64", "128"));
  EXPECT_EQ(SpanText(src, knob), "32");
}

TEST(KnobsTest, ParsesIntRangeInPythonAndShell) {
  Knob py = OnlyKnob("a.py", "UNROLL = 4  # @knob range=1..8\n");
  EXPECT_EQ(py.kind, KnobKind::kIntRange);
  EXPECT_EQ(py.name, "UNROLL");
  EXPECT_EQ(py.int_lo, 1);
  EXPECT_EQ(py.int_hi, 8);
  EXPECT_EQ(py.value, "4");
  Knob sh = OnlyKnob("run.sh", "export THREADS=4 # @knob range=1..16\n");
  EXPECT_EQ(sh.name, "THREADS");
  EXPECT_EQ(sh.value, "4");
  Knob lua = OnlyKnob("a.lua", "local n = -3 -- @knob range=-5..5\n");
  EXPECT_EQ(lua.value, "-3");
  EXPECT_EQ(lua.int_lo, -5);
}

TEST(KnobsTest, ParsesRealRangeWithLog) {
  Knob knob = OnlyKnob("train.py", "lr = 3e-3  # @knob range=1e-4..1e-2 log\n");
  EXPECT_EQ(knob.kind, KnobKind::kRealRange);
  EXPECT_DOUBLE_EQ(knob.real_lo, 1e-4);
  EXPECT_DOUBLE_EQ(knob.real_hi, 1e-2);
  EXPECT_TRUE(knob.log);
  EXPECT_EQ(knob.value, "3e-3");
  Knob plain = OnlyKnob("a.py", "p = 0.5  # @knob range=0..1.0\n");
  EXPECT_EQ(plain.kind, KnobKind::kRealRange);
  EXPECT_FALSE(plain.log);
}

TEST(KnobsTest, KeepsNumericSuffixes) {
  std::string src = "float alpha = 0.5f;  // @knob range=0.1..1.0\n";
  Knob knob = OnlyKnob("k.cu", src);
  EXPECT_EQ(knob.value, "0.5");
  EXPECT_EQ(knob.suffix, "f");
  absl::StatusOr<Program> out = SetKnobValue({{"k.cu", src}}, knob, "0.25");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->at("k.cu"), "float alpha = 0.25f;  // @knob range=0.1..1.0\n");
}

TEST(KnobsTest, ParsesBlockCommentsYamlAndDicts) {
  Knob block = OnlyKnob("a.c", "int k = 2; /* @knob range=1..4 */\n");
  EXPECT_EQ(block.name, "k");
  EXPECT_EQ(block.value, "2");
  Knob yaml = OnlyKnob("c.yaml", "model:\n  tile: 16  # @knob choices=8,16,32\n");
  EXPECT_EQ(yaml.name, "tile");
  EXPECT_EQ(yaml.line, 2);
  Knob dict = OnlyKnob("c.py", "CFG = {\n    \"tile\": 16,  # @knob choices=8,16,32\n}\n");
  EXPECT_EQ(dict.name, "tile");
  EXPECT_EQ(dict.value, "16");
  Knob typed = OnlyKnob("t.py", "x: int = 4  # @knob range=1..8\n");
  EXPECT_EQ(typed.name, "x");
  Knob go = OnlyKnob("m.go", "\ttile := 8 // @knob choices=8,16\n");
  EXPECT_EQ(go.name, "tile");
  EXPECT_EQ(go.value, "8");
}

TEST(KnobsTest, ParsesPreprocessorDefines) {
  std::string src = "#define TILE 32  // @knob choices=16,32,64\n# define BLOCK  (8)\n";
  Knob knob = OnlyKnob("k.cu", src);
  EXPECT_EQ(knob.name, "TILE");
  EXPECT_EQ(knob.value, "32");
  absl::StatusOr<Program> out = SetKnobValue({{"k.cu", src}}, knob, "64");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->at("k.cu"), "#define TILE 64  // @knob choices=16,32,64\n# define BLOCK  (8)\n");
  EXPECT_EQ(FindError("k.cu", "#define F(x) x  // @knob range=1..2\n").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(KnobsTest, QuotedChoicesKeepTheirQuotes) {
  std::string src =
      "constexpr char kOrder[] = \"ikj\";  // @knob choices=ijk,ikj,jik,jki,kij,kji\n";
  Knob knob = OnlyKnob("mm.cpp", src);
  EXPECT_EQ(knob.name, "kOrder");
  EXPECT_EQ(knob.value, "ikj");
  EXPECT_EQ(knob.quote, '"');
  EXPECT_EQ(SpanText(src, knob), "\"ikj\"");
  absl::StatusOr<Program> out = SetKnobValue({{"mm.cpp", src}}, knob, "kji");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->at("mm.cpp"),
            "constexpr char kOrder[] = \"kji\";  // @knob choices=ijk,ikj,jik,jki,kij,kji\n");

  std::string py = "ACT = 'gelu'  # @knob choices=relu,gelu,silu\n";
  Knob single = OnlyKnob("m.py", py);
  out = SetKnobValue({{"m.py", py}}, single, "silu");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->at("m.py"), "ACT = 'silu'  # @knob choices=relu,gelu,silu\n");
}

TEST(KnobsTest, ParsesAndRewritesSequences) {
  std::string src =
      "PATTERN = [\"attn\", \"mlp\", \"attn\", \"mlp\"]  # @knob-seq tokens=attn,ssm,mlp,moe "
      "len=2..12\n";
  Knob knob = OnlyKnob("model.py", src);
  EXPECT_EQ(knob.kind, KnobKind::kSequence);
  EXPECT_EQ(knob.name, "PATTERN");
  EXPECT_THAT(knob.elements, ElementsAre("attn", "mlp", "attn", "mlp"));
  EXPECT_EQ(knob.value, "attn,mlp,attn,mlp");
  EXPECT_EQ(knob.min_len, 2);
  EXPECT_EQ(knob.max_len, 12);
  absl::StatusOr<Program> out = SetKnobValue({{"model.py", src}}, knob, "ssm,moe,mlp");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(out->at("model.py"),
              ::testing::StartsWith("PATTERN = [\"ssm\", \"moe\", \"mlp\"]  #"));

  std::string cpp = "const char* kLayers[] = {'a','b'};  // @knob-seq tokens=a,b,c len=1..4\n";
  Knob braces = OnlyKnob("m.cpp", cpp);
  out = SetKnobValue({{"m.cpp", cpp}}, braces, "c,a,b");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(out->at("m.cpp"), ::testing::StartsWith("const char* kLayers[] = {'c','a','b'};"));

  std::string tuple = "P = (\"a\", \"b\")  # @knob-seq tokens=a,b len=1..3\n";
  Knob t = OnlyKnob("t.py", tuple);
  out = SetKnobValue({{"t.py", tuple}}, t, "b");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(out->at("t.py"), ::testing::StartsWith("P = (\"b\",)  #"));
}

TEST(KnobsTest, SequenceWithoutLenDefaultsToOneToSixtyFour) {
  Knob knob = OnlyKnob("a.py", "L = [1, 2]  # @knob-seq tokens=1,2,3\n");
  EXPECT_EQ(knob.min_len, 1);
  EXPECT_EQ(knob.max_len, 64);
  EXPECT_EQ(knob.quote, 0);
}

TEST(KnobsTest, OnlyKnobsInsideEvolveBlocksCount) {
  std::string src =
      "A = 1  # @knob range=1..4\n"
      "# EVOLVE-BLOCK-START\n"
      "B = 2  # @knob range=1..4\n"
      "# EVOLVE-BLOCK-END\n"
      "C = 3  # @knob range=1..4\n";
  absl::StatusOr<std::vector<Knob>> knobs = FindKnobs({{"a.py", src}}, {"*.py"});
  ASSERT_TRUE(knobs.ok()) << knobs.status();
  ASSERT_EQ(knobs->size(), 1u);
  EXPECT_EQ(knobs->front().name, "B");
  EXPECT_EQ(knobs->front().line, 3);
}

TEST(KnobsTest, IgnoresFilesOutsideEditableGlobs) {
  Program program = {{"harness.py", "X = 1  # @knob range=5..9\n"},
                     {"src/a.py", "Y = 1  # @knob range=1..2\n"}};
  absl::StatusOr<std::vector<Knob>> knobs = FindKnobs(program, {"src/*.py"});
  ASSERT_TRUE(knobs.ok()) << knobs.status();
  ASSERT_EQ(knobs->size(), 1u);
  EXPECT_EQ(knobs->front().file, "src/a.py");
}

TEST(KnobsTest, ProseMentioningKnobIsNotAnAnnotation) {
  absl::StatusOr<std::vector<Knob>> knobs = FindKnobs(
      {{"a.py", "# see the @knob docs\nx = 'email@knobs.org'\n# @knobs are fun\n"}}, {"*"});
  ASSERT_TRUE(knobs.ok()) << knobs.status();
  EXPECT_TRUE(knobs->empty());
}

TEST(KnobsTest, MalformedAnnotationsNameFileAndLine) {
  struct Case {
    std::string line, why;
  };
  std::vector<Case> cases = {
      {"x = 1  # @knob-foo range=1..2", "unknown kind"},
      {"x = 1  # @knob size=1..2", "unexpected"},
      {"x = 1  # @knob", "needs choices"},
      {"x = 1  # @knob choices=", "empty"},
      {"x = 1  # @knob choices=,,", "empty"},
      {"x = 8  # @knob range=8..1", "a > b"},
      {"x = 0.5  # @knob range=1.0..0.1", "a > b"},
      {"x = abc  # @knob range=1..8", "not an integer"},
      {"x = 9  # @knob range=1..8", "outside"},
      {"x = 7  # @knob choices=1,2", "not one of"},
      {"print(3)  # @knob range=1..8", "no '='"},
      {"x = [a, z]  # @knob-seq tokens=a,b", "holds 'z'"},
      {"x = [a]  # @knob-seq tokens=a,b len=2..3", "1 elements"},
      {"x = a  # @knob-seq tokens=a,b", "list literal"},
      {"x = 2  # @knob range=0..4 log", "above 0"},
      {"x = 2  # @knob choices=1,2 log", "log applies only"},
  };
  for (const Case& c : cases) {
    absl::Status status = FindError("dir/f.py", "ok = 1\n" + c.line + "\n");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.line;
    EXPECT_THAT(std::string(status.message()), HasSubstr("dir/f.py:2")) << c.line;
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.why)) << c.line;
  }
}

TEST(KnobsTest, ReportsEveryMalformedLine) {
  absl::Status status =
      FindError("f.py", "a = 0  # @knob range=1..2\nb = 1\nc = 9  # @knob choices=1\n");
  EXPECT_THAT(std::string(status.message()), HasSubstr("f.py:1"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("f.py:3"));
}

TEST(KnobsTest, UnbalancedMarkersAreAnError) {
  absl::Status status = FindError("f.py", "x = 1\n# EVOLVE-BLOCK-START\ny = 2\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("f.py: line 2"));
}

TEST(KnobsTest, SetKnobValueValidatesAndDetectsStaleKnobs) {
  std::string src = "N = 4  # @knob range=1..8\n";
  Knob knob = OnlyKnob("a.py", src);
  EXPECT_EQ(SetKnobValue({{"a.py", src}}, knob, "9").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SetKnobValue({{"a.py", "N = 5  # @knob range=1..8\n"}}, knob, "6").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(SetKnobValue({{"b.py", src}}, knob, "6").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(KnobsTest, SetKnobValuesRewritesSeveralKnobsOfOneLine) {
  std::string src = "x\r\nA = 1; B = 2  # @knob range=1..9\r\nC = 3  # @knob range=1..9\r\n";
  Program program = {{"a.sh", src}};
  absl::StatusOr<std::vector<Knob>> knobs = FindKnobs(program, {"*"});
  ASSERT_TRUE(knobs.ok()) << knobs.status();
  ASSERT_EQ(knobs->size(), 2u);
  EXPECT_EQ((*knobs)[0].name, "B");
  absl::StatusOr<Program> out = SetKnobValues(program, {{&(*knobs)[1], "7"}, {&(*knobs)[0], "5"}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->at("a.sh"),
            "x\r\nA = 1; B = 5  # @knob range=1..9\r\nC = 7  # @knob range=1..9\r\n");
  EXPECT_EQ(SetKnobValues(program, {{&(*knobs)[0], "5"}, {&(*knobs)[0], "6"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(KnobsTest, KnobCanChange) {
  EXPECT_FALSE(KnobCanChange(OnlyKnob("a", "x = 1  # @knob choices=1")));
  EXPECT_FALSE(KnobCanChange(OnlyKnob("a", "x = 1  # @knob range=1..1")));
  EXPECT_TRUE(KnobCanChange(OnlyKnob("a", "x = 1  # @knob range=1..2")));
  EXPECT_FALSE(KnobCanChange(OnlyKnob("a", "x = [a, a]  # @knob-seq tokens=a len=2..2")));
  EXPECT_TRUE(KnobCanChange(OnlyKnob("a", "x = [a, a]  # @knob-seq tokens=a len=2..3")));
}

TEST(KnobsTest, DescribesChanges) {
  Knob knob = OnlyKnob("mm.cpp", "\nconstexpr int kTileI = 32;  // @knob choices=32,64\n");
  EXPECT_EQ(DescribeKnobChange(knob, "64"), "kTileI 32 -> 64 (mm.cpp:2)");
  Knob seq = OnlyKnob("m.py", "P = [a, b]  # @knob-seq tokens=a,b\n");
  EXPECT_EQ(DescribeKnobChange(seq, "b"), "P [a,b] -> [b] (m.py:1)");
}

}  // namespace
}  // namespace cambrian::mutators
