#include "mutators/knob_mutator.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mutators/edit_policy.h"

namespace cambrian::mutators {
namespace {

using ::testing::HasSubstr;

const std::vector<std::string> kEditable = {"*.cpp", "*.py"};

Program Seed() {
  return {
      {"matmul.cpp",
       "#include <cstdio>\n"
       "constexpr int kFixed = 4;  // @knob choices=2,4\n"  // outside the block
       "// EVOLVE-BLOCK-START\n"
       "constexpr int kTileI = 32;  // @knob choices=8,16,32,64,128\n"
       "constexpr char kOrder[] = \"ikj\";  // @knob choices=ijk,ikj,jik,jki,kij,kji\n"
       "constexpr int kUnroll = 4;  // @knob range=1..8\n"
       "constexpr float kAlpha = 0.5f;  // @knob range=0.1..0.9\n"
       "// EVOLVE-BLOCK-END\n"
       "int main() { return 0; }\n"},
      {"model.py",
       "lr = 3e-3  # @knob range=1e-4..1e-2 log\n"
       "PATTERN = [\"attn\", \"mlp\", \"attn\", \"mlp\"]  # @knob-seq tokens=attn,ssm,mlp,moe "
       "len=2..6\n"
       "WIDTH = 256  # @knob range=16..4096 log\n"},
      {"bench.sh", "N = 3  # @knob range=1..4\n"},  // not editable
  };
}

std::vector<Knob> Knobs(const Program& program) {
  absl::StatusOr<std::vector<Knob>> knobs = FindKnobs(program, kEditable);
  EXPECT_TRUE(knobs.ok()) << knobs.status();
  return knobs.ok() ? *knobs : std::vector<Knob>{};
}

TEST(KnobMutatorTest, ChangesOnlyKnobValuesWithinBounds) {
  Program seed = Seed();
  std::vector<Knob> before = Knobs(seed);
  ASSERT_EQ(before.size(), 7u);
  KnobMutator mutator;
  Rng rng(7);
  MutationContext context{&seed, nullptr, kEditable, &rng};
  int two_changes = 0;
  std::set<std::string> changed_names;
  for (int draw = 0; draw < 1000; ++draw) {
    absl::StatusOr<Proposal> proposal = mutator.Propose(context);
    ASSERT_TRUE(proposal.ok()) << proposal.status();
    EXPECT_EQ(proposal->mutator, "knob");
    EXPECT_NE(proposal->program, seed);
    ASSERT_TRUE(CheckEditAllowed(seed, proposal->program, kEditable).ok());
    // FindKnobs validates every value against its declared domain.
    std::vector<Knob> after = Knobs(proposal->program);
    ASSERT_EQ(after.size(), before.size());
    // Putting the parent's values back must give the parent exactly.
    std::vector<KnobAssignment> restore;
    int changed = 0;
    for (size_t i = 0; i < after.size(); ++i) {
      ASSERT_EQ(after[i].name, before[i].name);
      if (after[i].value == before[i].value) continue;
      ++changed;
      changed_names.insert(after[i].name);
      EXPECT_THAT(proposal->description, HasSubstr(after[i].name));
      restore.push_back({&after[i], before[i].value});
    }
    ASSERT_TRUE(changed == 1 || changed == 2) << proposal->description;
    two_changes += changed == 2;
    absl::StatusOr<Program> restored = SetKnobValues(proposal->program, restore);
    ASSERT_TRUE(restored.ok()) << restored.status();
    EXPECT_EQ(*restored, seed) << proposal->description;
  }
  EXPECT_EQ(changed_names.size(), 7u);
  EXPECT_GT(two_changes, 150);  // p = 0.25 of 1000
  EXPECT_LT(two_changes, 350);
}

TEST(KnobMutatorTest, SameSeedSameSequence) {
  Program seed = Seed();
  auto run = [&](uint64_t s) {
    KnobMutator mutator;
    Rng rng(s);
    MutationContext context{&seed, nullptr, kEditable, &rng};
    std::vector<std::string> descriptions;
    for (int i = 0; i < 50; ++i) descriptions.push_back(mutator.Propose(context)->description);
    return descriptions;
  };
  EXPECT_EQ(run(3), run(3));
  EXPECT_NE(run(3), run(4));
}

TEST(KnobMutatorTest, DescriptionNamesValuesAndPlace) {
  Program program = {{"mm.cpp", "\nconstexpr int kTileI = 32;  // @knob choices=32,64\n"}};
  KnobMutator mutator;
  Rng rng(1);
  absl::StatusOr<Proposal> proposal = mutator.Propose({&program, nullptr, {"*"}, &rng});
  ASSERT_TRUE(proposal.ok()) << proposal.status();
  EXPECT_EQ(proposal->description, "kTileI 32 -> 64 (mm.cpp:2)");
  EXPECT_EQ(proposal->program.at("mm.cpp"),
            "\nconstexpr int kTileI = 64;  // @knob choices=32,64\n");
}

TEST(KnobMutatorTest, FailsWithoutKnobs) {
  KnobMutator mutator;
  Rng rng(1);
  Program plain = {{"a.py", "x = 1\n"}, {"b.sh", "N = 3  # @knob range=1..4\n"}};
  absl::StatusOr<Proposal> proposal = mutator.Propose({&plain, nullptr, {"*.py"}, &rng});
  EXPECT_EQ(proposal.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(proposal.status().message(), "no @knob annotations in editable code");

  Program frozen = {{"a.py", "x = 1  # @knob choices=1\n"}};
  EXPECT_EQ(mutator.Propose({&frozen, nullptr, {"*"}, &rng}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  Program broken = {{"a.py", "x = 9  # @knob range=1..4\n"}};
  EXPECT_EQ(mutator.Propose({&broken, nullptr, {"*"}, &rng}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(mutator.Propose({nullptr, nullptr, {"*"}, &rng}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

Knob OnlyKnob(const std::string& line) {
  absl::StatusOr<std::vector<Knob>> knobs = FindKnobs({{"f", line}}, {"*"});
  EXPECT_TRUE(knobs.ok() && knobs->size() == 1) << knobs.status();
  return knobs.ok() && knobs->size() == 1 ? knobs->front() : Knob{};
}

TEST(DrawKnobValueTest, SequenceOpsKeepLengthAndTokens) {
  Knob knob = OnlyKnob("P = [a, b, a]  # @knob-seq tokens=a,b,c len=2..4");
  Rng rng(11);
  std::set<std::string> kinds;
  for (int i = 0; i < 1000; ++i) {
    std::string value = DrawKnobValue(knob, &rng);
    ASSERT_NE(value, knob.value);
    ASSERT_TRUE(ValidateKnobValue(knob, value).ok()) << value;
    std::vector<std::string> e = absl::StrSplit(value, ',');
    std::vector<std::string> sorted_new = e, sorted_old = knob.elements;
    std::sort(sorted_new.begin(), sorted_new.end());
    std::sort(sorted_old.begin(), sorted_old.end());
    if (e.size() == 4) kinds.insert("insert");
    if (e.size() == 2) kinds.insert("delete");
    if (e.size() == 3) kinds.insert(sorted_new == sorted_old ? "swap" : "replace");
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"insert", "delete", "swap", "replace"}));
}

TEST(DrawKnobValueTest, SequenceAtItsBoundsOnlyUsesAllowedOps) {
  Knob knob = OnlyKnob("P = [a, a]  # @knob-seq tokens=a,b len=2..2");
  Rng rng(2);
  for (int i = 0; i < 200; ++i) {
    std::string value = DrawKnobValue(knob, &rng);
    EXPECT_TRUE(value == "a,b" || value == "b,a") << value;
  }
}

TEST(DrawKnobValueTest, IntRangeCoversTheRangeAndStaysInside) {
  Knob knob = OnlyKnob("x = 5  # @knob range=1..9");
  Rng rng(5);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string value = DrawKnobValue(knob, &rng);
    ASSERT_NE(value, "5");
    ASSERT_TRUE(ValidateKnobValue(knob, value).ok()) << value;
    seen.insert(value);
  }
  EXPECT_EQ(seen.size(), 8u);
  Knob at_bound = OnlyKnob("x = 1  # @knob range=1..2");
  for (int i = 0; i < 50; ++i) EXPECT_EQ(DrawKnobValue(at_bound, &rng), "2");
}

TEST(DrawKnobValueTest, RealRangesStayInsideAndDiffer) {
  for (const char* line :
       {"lr = 3e-3  # @knob range=1e-4..1e-2 log", "p = 0.9  # @knob range=0.0..0.9",
        "w = 1.0  # @knob range=1.0..1.0001"}) {
    Knob knob = OnlyKnob(line);
    Rng rng(9);
    for (int i = 0; i < 1000; ++i) {
      std::string value = DrawKnobValue(knob, &rng);
      ASSERT_TRUE(ValidateKnobValue(knob, value).ok()) << line << " -> " << value;
      ASSERT_NE(std::stod(value), std::stod(knob.value)) << line;
      ASSERT_NE(value.find_first_of(".e"), std::string::npos) << value;
    }
  }
}

}  // namespace
}  // namespace cambrian::mutators
