#include "mutators/crossover_mutator.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mutators/edit_policy.h"
#include "mutators/knobs.h"

namespace cambrian::mutators {
namespace {

using ::testing::HasSubstr;

const std::vector<std::string> kEditable = {"*"};

Program MakeParent(const std::string& tile, const std::string& order, const std::string& unroll,
                   const std::string& pattern, const std::string& comment) {
  return {{"mm.cpp", "// " + comment + "\nconstexpr int kTile = " + tile +
                         ";  // @knob choices=16,32,64\nconstexpr char kOrder[] = \"" + order +
                         "\";  // @knob choices=ijk,ikj\nconstexpr int kUnroll = " + unroll +
                         ";  // @knob range=1..8\n"},
          {"m.py", "P = [" + pattern + "]  # @knob-seq tokens=a,b len=1..4\n"}};
}

std::map<std::string, std::string> Values(const Program& program) {
  absl::StatusOr<std::vector<Knob>> knobs = FindKnobs(program, kEditable);
  EXPECT_TRUE(knobs.ok()) << knobs.status();
  std::map<std::string, std::string> values;
  if (knobs.ok()) {
    for (const Knob& knob : *knobs) values[knob.name] = knob.value;
  }
  return values;
}

TEST(CrossoverMutatorTest, MixesKnobValuesAndKeepsFirstParentText) {
  Program a = MakeParent("16", "ijk", "2", "a, a", "first");
  Program b = MakeParent("64", "ikj", "2", "b", "second");  // kUnroll is equal
  std::map<std::string, std::string> va = Values(a), vb = Values(b);
  CrossoverMutator mutator;
  EXPECT_TRUE(mutator.NeedsSecondParent());
  std::map<std::string, int> from_b;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    Rng rng(seed);
    absl::StatusOr<Proposal> proposal = mutator.Propose({&a, &b, kEditable, &rng});
    ASSERT_TRUE(proposal.ok()) << proposal.status();
    EXPECT_EQ(proposal->mutator, "crossover");
    EXPECT_THAT(proposal->description, HasSubstr("from the second parent: "));
    ASSERT_TRUE(CheckEditAllowed(a, proposal->program, kEditable).ok());
    EXPECT_THAT(proposal->program.at("mm.cpp"), ::testing::StartsWith("// first\n"));
    std::map<std::string, std::string> child = Values(proposal->program);
    int taken = 0;
    for (const auto& [name, value] : child) {
      ASSERT_TRUE(value == va[name] || value == vb[name]) << name << "=" << value;
      if (value != va[name]) {
        ++taken;
        ++from_b[name];
        EXPECT_THAT(proposal->description, HasSubstr(name));
      }
    }
    EXPECT_GE(taken, 1);  // never the first parent's setting
    EXPECT_LE(taken, 2);  // never all three from the second parent
  }
  EXPECT_EQ(from_b.count("kUnroll"), 0u);
  for (const char* name : {"kTile", "kOrder", "P"}) {
    EXPECT_GT(from_b[name], 60) << name;
    EXPECT_LT(from_b[name], 180) << name;
  }
}

TEST(CrossoverMutatorTest, DeterministicPerSeed) {
  Program a = MakeParent("16", "ijk", "2", "a", "x");
  Program b = MakeParent("64", "ikj", "7", "b, b", "y");
  CrossoverMutator mutator;
  auto run = [&](uint64_t seed) {
    Rng rng(seed);
    std::vector<Program> children;
    for (int i = 0; i < 20; ++i)
      children.push_back(mutator.Propose({&a, &b, kEditable, &rng})->program);
    return children;
  };
  EXPECT_EQ(run(5), run(5));
  EXPECT_NE(run(5), run(6));
}

TEST(CrossoverMutatorTest, FailsWhenNoSharedKnobDiffers) {
  Program a = MakeParent("16", "ijk", "2", "a", "x");
  Program b = MakeParent("16", "ijk", "2", "a", "different text only");
  CrossoverMutator mutator;
  Rng rng(1);
  EXPECT_EQ(mutator.Propose({&a, &b, kEditable, &rng}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  Program unrelated = {{"other.py", "Q = 1  # @knob range=1..3\n"}};
  EXPECT_EQ(mutator.Propose({&a, &unrelated, kEditable, &rng}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(mutator.Propose({&a, nullptr, kEditable, &rng}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CrossoverMutatorTest, SkipsValuesInvalidUnderFirstParentsAnnotation) {
  Program a = {{"a.py", "N = 2  # @knob range=1..4\nM = 1  # @knob range=1..9\n"}};
  Program b = {{"a.py", "N = 8  # @knob range=1..9\nM = 5  # @knob range=1..9\n"}};
  CrossoverMutator mutator;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    Rng rng(seed);
    absl::StatusOr<Proposal> proposal = mutator.Propose({&a, &b, {"*"}, &rng});
    ASSERT_TRUE(proposal.ok()) << proposal.status();
    EXPECT_EQ(proposal->program.at("a.py"),
              "N = 2  # @knob range=1..4\nM = 5  # @knob range=1..9\n");
  }
}

}  // namespace
}  // namespace cambrian::mutators
