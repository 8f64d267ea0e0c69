// The propose step (orchestrator/proposer.h): parents, the edit policy,
// duplicates, slow proposals through the pool, repairs and spending caps.
#include "orchestrator/proposer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <thread>

#include "tests/testing/fake_time.h"
#include "tests/testing/in_memory_archive.h"

namespace cambrian::orchestrator {
namespace {

using Edit = std::function<absl::StatusOr<Program>(const mutators::MutationContext&)>;

class EditMutator : public mutators::Mutator {
 public:
  EditMutator(std::string name, bool slow, Edit edit)
      : name_(std::move(name)), slow_(slow), edit_(std::move(edit)) {}
  std::string_view name() const override { return name_; }
  bool IsSlow() const override { return slow_; }
  absl::StatusOr<mutators::Proposal> Propose(const mutators::MutationContext& context) override {
    absl::StatusOr<Program> program = edit_(context);
    if (!program.ok()) return program.status();
    return mutators::Proposal{*program, name_, "an edit", std::nullopt, "arm-" + name_};
  }
  void Observe(const std::string& arm, bool improved) override {
    observed.push_back({arm, improved});
  }
  std::vector<std::pair<std::string, bool>> observed;

 private:
  std::string name_;
  bool slow_;
  Edit edit_;
};

// Appends a numbered line to main.py: a new program on every call.
Edit Append(std::string tag = "edit") {
  auto counter = std::make_shared<int>(0);
  return [counter, tag](const mutators::MutationContext& context) -> absl::StatusOr<Program> {
    Program child = *context.parent;
    child["main.py"] += "# " + tag + " " + std::to_string(++*counter) + "\n";
    return child;
  };
}

class ProposerTest : public ::testing::Test {
 protected:
  ProposerTest() {
    task_.editable = {"main.py"};
    task_.goal = Goal::kMaximize;
    config_.proposal_attempts = 3;
    config_.llm_concurrency = 2;
  }

  // Records the seed (id 1, added to the archive once) and returns its id.
  int64_t AddSeed(Proposer& proposer) {
    Program seed = {{"main.py", "print(1)\n"}, {"judge.py", "trusted\n"}};
    std::string hash = *archive_.PutProgram(seed);
    if (absl::StatusOr<std::optional<int64_t>> known = archive_.FindCandidateByProgram(hash);
        known.ok() && known->has_value()) {
      proposer.Recorded(**known, hash, "seed");
      return **known;
    }
    archive::NewCandidate candidate;
    candidate.program_hash = hash;
    candidate.mutator = "seed";
    int64_t id = *archive_.AddCandidate(candidate);
    proposer.Recorded(id, hash, "seed");
    return id;
  }

  std::unique_ptr<Proposer> Make(std::vector<mutators::Mutator*> mutators) {
    return std::make_unique<Proposer>(
        ProposerDeps{&task_, &config_, &archive_, std::move(mutators), &brief_, &clock_},
        population_, scoreboard_, rng_);
  }

  // Collects until a slow child is ready (five seconds at most).
  static std::optional<Child> AwaitChild(Proposer& proposer) {
    for (int i = 0; i < 500; ++i) {
      EXPECT_TRUE(proposer.Collect().ok());
      absl::StatusOr<std::optional<Child>> child = proposer.Next();
      EXPECT_TRUE(child.ok());
      if (child.ok() && child->has_value()) return **child;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::nullopt;
  }

  Task task_;
  RunConfig config_;
  testing::InMemoryArchive archive_;
  mutators::TaskBrief brief_;
  testing::ManualClock clock_;
  Population population_{PopulationConfig{}, Goal::kMaximize, {}};
  Scoreboard scoreboard_{Goal::kMaximize};
  Rng rng_{42};
};

TEST_F(ProposerTest, AFastMutatorsChildOfTheSeed) {
  EditMutator edit("edit", false, Append());
  auto proposer = Make({&edit});
  const int64_t seed = AddSeed(*proposer);
  absl::StatusOr<std::optional<Child>> child = proposer->Next();
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(child->has_value());
  EXPECT_EQ((*child)->parent_id, seed);  // nothing scored yet: the seed
  EXPECT_EQ((*child)->proposal.program.at("main.py"), "print(1)\n# edit 1\n");
  EXPECT_FALSE(proposer->Awaiting());  // no slow mutator, no pool
}

TEST_F(ProposerTest, DuplicatesAndRefusedEditsGiveNoChildAndAreCounted) {
  EditMutator same("same", false, [](const mutators::MutationContext& c) { return *c.parent; });
  auto proposer = Make({&same});
  AddSeed(*proposer);
  absl::StatusOr<std::optional<Child>> child = proposer->Next();
  ASSERT_TRUE(child.ok());
  EXPECT_FALSE(child->has_value());
  EXPECT_EQ(proposer->counts().duplicates, config_.proposal_attempts);

  EditMutator judge("judge", false, [](const mutators::MutationContext& c) {
    Program p = *c.parent;
    p["judge.py"] = "return 1e9\n";  // not editable
    return p;
  });
  auto refusing = Make({&judge});
  AddSeed(*refusing);
  child = refusing->Next();
  ASSERT_TRUE(child.ok());
  EXPECT_FALSE(child->has_value());
  EXPECT_EQ(refusing->counts().rejected, config_.proposal_attempts);
}

TEST_F(ProposerTest, AProgramInFlightIsADuplicateAndALayoutCopyIsNotNovel) {
  EditMutator edit("edit", false, [](const mutators::MutationContext& c) {
    Program p = *c.parent;
    p["main.py"] = "print(2)\n";  // always the same child
    return p;
  });
  auto proposer = Make({&edit});
  AddSeed(*proposer);
  absl::StatusOr<std::optional<Child>> first = proposer->Next();
  ASSERT_TRUE(first.ok() && first->has_value());
  // Submitted but not yet in the archive's index of programs for this test:
  // the in-flight set alone must refuse it.
  proposer->Submitted(99, ProgramHash((*first)->proposal.program), "edit");
  absl::StatusOr<std::optional<Child>> second = proposer->Next();
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->has_value());
  EXPECT_EQ(proposer->counts().duplicates, config_.proposal_attempts);
  // Released (never recorded, as if lost): no longer in flight, but the
  // novelty filter has seen it, re-indented or not.
  proposer->Released(99);
  second = proposer->Next();
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->has_value());
  EXPECT_EQ(proposer->counts().not_novel, config_.proposal_attempts);
}

TEST_F(ProposerTest, AChildThatOnlyRespacesItsParentIsNotNovel) {
  EditMutator respace("edit", false, [](const mutators::MutationContext& c) {
    Program p = *c.parent;
    p["main.py"] = "print( 1 )\n\n";  // the seed's print(1), respaced
    return p;
  });
  auto proposer = Make({&respace});
  AddSeed(*proposer);
  absl::StatusOr<std::optional<Child>> child = proposer->Next();
  ASSERT_TRUE(child.ok());
  EXPECT_TRUE(child->has_value());  // "print( 1 )" is not "print(1)": spaces inside a line count
  EditMutator blank("edit", false, [](const mutators::MutationContext& c) {
    Program p = *c.parent;
    p["main.py"] = "\n  print(1)   \n\n";
    return p;
  });
  auto other = Make({&blank});
  AddSeed(*other);
  child = other->Next();
  ASSERT_TRUE(child.ok());
  EXPECT_FALSE(child->has_value());
  EXPECT_EQ(other->counts().not_novel, config_.proposal_attempts);
}

TEST_F(ProposerTest, SlowProposalsArriveThroughThePool) {
  EditMutator llm("llm", true, Append());
  auto proposer = Make({&llm});
  AddSeed(*proposer);
  absl::StatusOr<std::optional<Child>> now = proposer->Next();
  ASSERT_TRUE(now.ok());
  EXPECT_FALSE(now->has_value());  // a slot never waits inline for an LLM
  EXPECT_TRUE(proposer->Awaiting());
  std::optional<Child> child = AwaitChild(*proposer);
  ASSERT_TRUE(child.has_value());
  EXPECT_EQ(child->proposal.mutator, "llm");
  proposer->Shutdown();
  EXPECT_FALSE(proposer->Awaiting());
}

TEST_F(ProposerTest, ASpendingCapHaltsAndFailuresBackOff) {
  EditMutator capped("llm", true, [](const mutators::MutationContext&) -> absl::StatusOr<Program> {
    return absl::ResourceExhaustedError("the --max-cost cap of $1 is reached");
  });
  auto proposer = Make({&capped});
  AddSeed(*proposer);
  ASSERT_TRUE(proposer->TopUp().ok());
  std::string halt;
  for (int i = 0; i < 500 && halt.empty(); ++i) {
    absl::StatusOr<std::string> collected = proposer->Collect();
    ASSERT_TRUE(collected.ok());
    halt = *collected;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(halt, "the --max-cost cap of $1 is reached");

  EditMutator broken("llm", true, [](const mutators::MutationContext&) -> absl::StatusOr<Program> {
    return absl::FailedPreconditionError("no SEARCH block matched");
  });
  auto failing = Make({&broken});
  AddSeed(*failing);
  ASSERT_TRUE(failing->TopUp().ok());
  for (int i = 0; i < 500 && failing->backoff().failures() == 0; ++i) {
    ASSERT_TRUE(failing->Collect().ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(failing->backoff().failures(), 1);
  EXPECT_GE(failing->counts().rejected, 1);
  EXPECT_EQ(failing->backoff().last_error(), "no SEARCH block matched");
  failing->Shutdown();  // the pool's other job may still be out
  // Backing off: the manual clock has not moved, so no new job goes out.
  const int64_t rejected = failing->counts().rejected;
  ASSERT_TRUE(failing->TopUp().ok());
  ASSERT_TRUE(failing->Collect().ok());
  EXPECT_EQ(failing->counts().rejected, rejected);
}

// Takes `n` children as free slots would, each submitted at once.
std::vector<Child> TakeChildren(Proposer& proposer, testing::InMemoryArchive& archive, int n) {
  std::vector<Child> children;
  for (int i = 0; i < 3000 && static_cast<int>(children.size()) < n; ++i) {
    EXPECT_TRUE(proposer.Collect().ok());
    absl::StatusOr<std::optional<Child>> child = proposer.Next();
    EXPECT_TRUE(child.ok()) << child.status();
    if (!child.ok() || !child->has_value()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      continue;
    }
    archive::NewCandidate candidate;
    candidate.program_hash = *archive.PutProgram((*child)->proposal.program);
    candidate.mutator = (*child)->proposal.mutator;
    candidate.parent_id = (*child)->parent_id;
    const int64_t id = *archive.AddCandidate(candidate);
    proposer.Submitted(id, candidate.program_hash, candidate.mutator);
    children.push_back(**std::move(child));
  }
  return children;
}

int CountBy(const std::vector<Child>& children, const std::string& mutator) {
  return static_cast<int>(std::count_if(children.begin(), children.end(), [&](const Child& c) {
    return c.proposal.mutator == mutator;
  }));
}

TEST_F(ProposerTest, ASlowLlmStillMakesItsShareOfChildren) {
  // The LLM takes 30 ms per answer, the offline mutator nothing: without
  // the share the offline one would take every slot.
  Edit append = Append("llm");
  EditMutator llm("llm", true, [append](const mutators::MutationContext& c) {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    return append(c);
  });
  EditMutator knob("knob", false, Append("knob"));
  for (double share : {0.5, 0.8}) {
    config_.llm_share = share;
    testing::InMemoryArchive archive;
    auto proposer = std::make_unique<Proposer>(
        ProposerDeps{&task_, &config_, &archive, {&llm, &knob}, &brief_, &clock_}, population_,
        scoreboard_, rng_);
    Program seed = {{"main.py", "print(1)\n"}};
    archive::NewCandidate first;
    first.program_hash = *archive.PutProgram(seed);
    first.mutator = "seed";
    proposer->Recorded(*archive.AddCandidate(first), first.program_hash, "seed");
    std::vector<Child> children = TakeChildren(*proposer, archive, 20);
    proposer->Shutdown();
    ASSERT_EQ(children.size(), 20u);
    EXPECT_EQ(CountBy(children, "llm"), static_cast<int>(share * 20)) << "share " << share;
    EXPECT_EQ(proposer->slow_children(), CountBy(children, "llm"));
    EXPECT_EQ(proposer->children(), 20);
  }
}

TEST_F(ProposerTest, ADownServiceReleasesTheSlotsAReplyMissDoesNot) {
  EditMutator down("llm", true, [](const mutators::MutationContext&) -> absl::StatusOr<Program> {
    return absl::UnavailableError("HTTP 500");
  });
  EditMutator knob("knob", false, Append("knob"));
  auto proposer = Make({&down, &knob});
  AddSeed(*proposer);
  // The first slot waits for the LLM; once its call failed, slots go to the
  // knob while it backs off (the manual clock keeps it backing off).
  std::vector<Child> children = TakeChildren(*proposer, archive_, 5);
  proposer->Shutdown();
  ASSERT_EQ(children.size(), 5u);
  EXPECT_EQ(CountBy(children, "knob"), 5);
  EXPECT_TRUE(proposer->backoff().service_failed());

  EditMutator wrong("llm", true, [](const mutators::MutationContext&) -> absl::StatusOr<Program> {
    return absl::FailedPreconditionError("no SEARCH block matched");
  });
  auto holding = Make({&wrong, &knob});
  AddSeed(*holding);
  ASSERT_TRUE(holding->TopUp().ok());
  for (int i = 0; i < 500 && holding->backoff().failures() == 0; ++i) {
    ASSERT_TRUE(holding->Collect().ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // A rejected reply: the slot still waits for the LLM.
  absl::StatusOr<std::optional<Child>> next = holding->Next();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
  holding->Shutdown();
}

// Misses until `proposer` has seen `misses` in a row (the manual clock is
// moved past each pause so the LLM is asked again).
void MissUntil(Proposer& proposer, testing::ManualClock& clock, int misses) {
  for (int i = 0; i < 2000 && proposer.backoff().failures() < misses; ++i) {
    if (proposer.backoff().Waiting(clock.Now()) && !proposer.SlowActivity().out) {
      clock.Advance(proposer.backoff().until() - clock.Now());
    }
    ASSERT_TRUE(proposer.TopUp().ok());
    ASSERT_TRUE(proposer.Collect().ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

TEST_F(ProposerTest, AModelThatKeepsMissingStopsHoldingTheSlots) {
  config_.llm_concurrency = 1;
  EditMutator wrong("llm", true, [](const mutators::MutationContext&) -> absl::StatusOr<Program> {
    return absl::FailedPreconditionError("no SEARCH block matched");
  });
  EditMutator knob("knob", false, Append("knob"));
  auto proposer = Make({&wrong, &knob});
  AddSeed(*proposer);
  // After 5 misses the pause is 4 s: longer than a slot waits, so the knob
  // fills it meanwhile (a slot sat idle through 30 s pauses).
  MissUntil(*proposer, clock_, 5);
  ASSERT_EQ(proposer->backoff().failures(), 5);
  absl::StatusOr<std::optional<Child>> during_pause = proposer->Next();
  ASSERT_TRUE(during_pause.ok());
  ASSERT_TRUE(during_pause->has_value());
  EXPECT_EQ((*during_pause)->proposal.mutator, "knob");
  // After 10 in a row the slots stop waiting even while a call is out.
  MissUntil(*proposer, clock_, 10);
  clock_.Advance(absl::Minutes(1));  // no pause left
  ASSERT_TRUE(proposer->TopUp().ok());
  absl::StatusOr<std::optional<Child>> after = proposer->Next();
  ASSERT_TRUE(after.ok());
  ASSERT_TRUE(after->has_value());
  EXPECT_EQ((*after)->proposal.mutator, "knob");
  proposer->Shutdown();
}

TEST_F(ProposerTest, AMutatorHearsWhetherItsChildrenBeatTheirParent) {
  EditMutator edit("edit", false, Append());
  auto proposer = Make({&edit});
  const int64_t seed = AddSeed(*proposer);
  mutators::ScoredProgram scored;
  scored.fitness = 1.0;
  scored.outcome = "ok";
  scoreboard_.Add(seed, scored);
  std::vector<Child> children = TakeChildren(*proposer, archive_, 3);
  ASSERT_EQ(children.size(), 3u);
  for (int i = 0; i < 3; ++i) proposer->Took(seed + 1 + i, children[i]);
  proposer->Finished(seed + 1, "ok", 2.0);          // better than 1.0
  proposer->Finished(seed + 2, "ok", 0.5);          // worse
  proposer->Finished(seed + 3, "build_error", {});  // failed
  proposer->Finished(seed + 3, "ok", 9.0);          // told once only
  EXPECT_EQ(edit.observed, (std::vector<std::pair<std::string, bool>>{
                               {"arm-edit", true}, {"arm-edit", false}, {"arm-edit", false}}));
}

TEST_F(ProposerTest, ShareZeroLeavesTheSlotsToOfflineMutators) {
  config_.llm_share = 0;
  EditMutator llm("llm", true, Append("llm"));
  EditMutator knob("knob", false, Append("knob"));
  auto proposer = Make({&llm, &knob});
  AddSeed(*proposer);
  std::vector<Child> children = TakeChildren(*proposer, archive_, 10);
  proposer->Shutdown();
  EXPECT_EQ(CountBy(children, "knob"), 10);
}

TEST_F(ProposerTest, SlowMutatorsRepairRecentFailures) {
  config_.repair_rate = 1.0;
  std::vector<int64_t> parents;
  EditMutator llm("llm", true, [&parents](const mutators::MutationContext& c) {
    parents.push_back(c.parent_info.id);
    Program p = *c.parent;
    p["main.py"] += "# fixed\n";
    return absl::StatusOr<Program>(p);
  });
  auto proposer = Make({&llm});
  AddSeed(*proposer);
  archive::NewCandidate broken;
  broken.program_hash = *archive_.PutProgram({{"main.py", "syntax error("}});
  broken.mutator = "knob";
  const int64_t failed = *archive_.AddCandidate(broken);
  proposer->Recorded(failed, broken.program_hash, "knob");
  proposer->Finished(failed, "build_error");
  std::optional<Child> child = AwaitChild(*proposer);
  ASSERT_TRUE(child.has_value());
  EXPECT_EQ(child->parent_id, failed);
  proposer->Shutdown();
  ASSERT_FALSE(parents.empty());
  EXPECT_EQ(parents.front(), failed);
}

}  // namespace
}  // namespace cambrian::orchestrator
