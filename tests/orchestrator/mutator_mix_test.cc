// The propose step's archive-free choices (orchestrator/mutator_mix.h).
#include "orchestrator/mutator_mix.h"

#include <gtest/gtest.h>

#include <map>

namespace cambrian::orchestrator {
namespace {

class NamedMutator : public mutators::Mutator {
 public:
  NamedMutator(std::string name, bool slow, bool crossover)
      : name_(std::move(name)), slow_(slow), crossover_(crossover) {}
  std::string_view name() const override { return name_; }
  bool NeedsSecondParent() const override { return crossover_; }
  bool IsSlow() const override { return slow_; }
  absl::StatusOr<mutators::Proposal> Propose(const mutators::MutationContext&) override {
    return absl::UnimplementedError("not proposing in this test");
  }

 private:
  std::string name_;
  bool slow_, crossover_;
};

TEST(MutatorMixTest, DrawsByWeightAndCrossesOnlyOnceTwoAreScored) {
  NamedMutator knob("knob", false, false), layers("layers", false, false), llm("llm", true, false),
      cross("crossover", false, true);
  RunConfig config;
  config.mutator_weights = {{"knob", 1}, {"layers", 3}, {"llm", 100}};
  config.crossover_rate = 0.5;
  MutatorMix mix({&knob, &layers, &llm, &cross}, config);
  Rng rng(7);
  std::map<std::string_view, int> picks;
  for (int i = 0; i < 4000; ++i) picks[mix.Pick(rng, /*scored=*/1)->name()]++;
  EXPECT_EQ(picks.count("crossover"), 0u);  // needs two scored parents
  EXPECT_EQ(picks.count("llm"), 0u);        // slow: kept to its share by the Proposer
  EXPECT_NEAR(picks["layers"] / 4000.0, 0.75, 0.03);
  picks.clear();
  for (int i = 0; i < 4000; ++i) picks[mix.Pick(rng, /*scored=*/2)->name()]++;
  EXPECT_NEAR(picks["crossover"] / 4000.0, 0.5, 0.03);
  EXPECT_EQ(mix.WeightOf(cross), 1);  // not named: 1
  ASSERT_EQ(mix.Slow().size(), 1u);
  EXPECT_EQ(mix.Slow()[0], &llm);
}

TEST(MutatorMixTest, AllWeightsZeroPicksNothing) {
  NamedMutator knob("knob", false, false);
  RunConfig config;
  config.mutator_weights = {{"knob", 0}};
  MutatorMix mix({&knob}, config);
  Rng rng(1);
  EXPECT_EQ(mix.Pick(rng, 5), nullptr);
  EXPECT_TRUE(mix.Slow().empty());
}

TEST(RepairCandidatesTest, KeepsTheLastRepairableFailures) {
  RepairCandidates repairs;
  Rng rng(3);
  EXPECT_EQ(repairs.Draw(rng, 1.0), std::nullopt);
  repairs.Note(1, "timeout");  // not repairable by editing
  repairs.Note(2, "ok");
  EXPECT_EQ(repairs.Draw(rng, 1.0), std::nullopt);
  for (int64_t id = 10; id < 40; ++id) repairs.Note(id, "build_error");
  for (int i = 0; i < 200; ++i) {
    const std::optional<int64_t> drawn = repairs.Draw(rng, 1.0);
    ASSERT_TRUE(drawn.has_value());
    EXPECT_GE(*drawn, 40 - static_cast<int64_t>(RepairCandidates::kKeep));
  }
  EXPECT_EQ(repairs.Draw(rng, 0.0), std::nullopt);
}

TEST(ProposalBackoffTest, DoublesFrom250msTo30sAndResetsOnSuccess) {
  ProposalBackoff backoff;
  const absl::Time now = absl::FromUnixSeconds(1000);
  EXPECT_FALSE(backoff.Waiting(now));
  backoff.Note(false, "HTTP 500", now);
  EXPECT_TRUE(backoff.Waiting(now + absl::Milliseconds(249)));
  EXPECT_FALSE(backoff.Waiting(now + absl::Milliseconds(250)));
  for (int i = 0; i < 12; ++i) backoff.Note(false, "HTTP 500", now);
  EXPECT_EQ(backoff.failures(), 13);
  EXPECT_EQ(backoff.last_error(), "HTTP 500");
  EXPECT_TRUE(backoff.Waiting(now + absl::Seconds(29)));
  EXPECT_FALSE(backoff.Waiting(now + absl::Seconds(30)));
  backoff.Note(true, "", now);
  EXPECT_EQ(backoff.failures(), 0);
}

}  // namespace
}  // namespace cambrian::orchestrator
