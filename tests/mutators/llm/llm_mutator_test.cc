#include "mutators/llm/llm_mutator.h"

#include <cmath>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mutators/llm/edit_grammar.h"
#include "mutators/llm/prompt_hash.h"

namespace cambrian::mutators {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// Answers from a script (the last entry repeats); remembers every request.
class ScriptedClient : public LlmClient {
 public:
  explicit ScriptedClient(std::vector<absl::StatusOr<LlmResponse>> script)
      : script_(std::move(script)) {}
  absl::StatusOr<LlmResponse> Complete(const LlmRequest& request) override {
    absl::MutexLock lock(&mutex_);
    requests_.push_back(request);
    if (during_call_) during_call_();
    size_t i = std::min(requests_.size() - 1, script_.size() - 1);
    return script_[i];
  }
  std::vector<LlmRequest> requests() {
    absl::MutexLock lock(&mutex_);
    return requests_;
  }
  std::function<void()> during_call_;

 private:
  absl::Mutex mutex_;
  std::vector<absl::StatusOr<LlmResponse>> script_;
  std::vector<LlmRequest> requests_;
};

// Keeps records in memory; answers CachedResponse from `cache` by hash.
class FakeCallLog : public LlmCallLog {
 public:
  absl::StatusOr<int64_t> Record(const LlmCallRecord& record) override {
    absl::MutexLock lock(&mutex_);
    if (!fail_writes.ok()) return fail_writes;
    records.push_back(record);
    return static_cast<int64_t>(records.size()) + 100;
  }
  absl::StatusOr<std::optional<std::string>> CachedResponse(const std::string& model,
                                                            const std::string& hash) override {
    absl::MutexLock lock(&mutex_);
    lookups.push_back(model + "/" + hash);
    if (cache_everything) return cache_everything;
    return std::optional<std::string>();
  }
  absl::Mutex mutex_;
  std::vector<LlmCallRecord> records;
  std::vector<std::string> lookups;
  std::optional<std::string> cache_everything;
  absl::Status fail_writes;
};

LlmResponse Reply(const std::string& text, int64_t in = 100, int64_t out = 50) {
  LlmResponse response;
  response.text = text;
  response.input_tokens = in;
  response.output_tokens = out;
  response.finish_reason = "stop";
  response.attempts = 2;
  response.latency = absl::Milliseconds(1500);
  return response;
}

const char kGoodEdit[] =
    "Move X.\nparams.sh\n<<<<<<< SEARCH\nX=1\n=======\nX=13\n>>>>>>> REPLACE\n";
const char kBadEdit[] = "params.sh\n<<<<<<< SEARCH\nZ=9\n=======\nZ=1\n>>>>>>> REPLACE\n";

ModelConfig Model(const std::string& name, double weight = 1) {
  ModelConfig model;
  model.model = name;
  model.weight = weight;
  model.max_tokens = 1000;
  model.usd_per_million_input = 1.0;
  model.usd_per_million_output = 2.0;
  return model;
}

class LlmMutatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<PromptSet> prompts =
        LoadPromptSet(std::filesystem::path(CAMBRIAN_SOURCE_DIR) / "prompts");
    ASSERT_TRUE(prompts.ok()) << prompts.status();
    prompts_ = *prompts;
    context_.parent = &parent_;
    context_.editable = {"*.sh"};
    context_.rng = &rng_;
    context_.task = &task_;
    context_.parent_info = {5, &parent_, {{"score", 1}}, 1.0, "ok", "", ""};
  }
  LlmMutator Make(ScriptedClient* client, SpendMeter* meter, ModeMix mix = {1, 0}) {
    return LlmMutator({Model("m1")}, {client}, prompts_, &log_, meter, mix);
  }

  PromptSet prompts_;
  Program parent_ = {{"params.sh", "X=1\nY=2\n"}, {"bench.py", "SECRET = 1\n"}};
  TaskBrief task_{"quadratic", "Find the optimum.", "", "maximize", "score"};
  Rng rng_{7};
  MutationContext context_;
  FakeCallLog log_;
};

TEST_F(LlmMutatorTest, AppliesAnEditAndRecordsTheCall) {
  ScriptedClient client({Reply(kGoodEdit)});
  SpendMeter meter({});
  LlmMutator mutator = Make(&client, &meter);
  EXPECT_EQ(mutator.name(), "llm");
  EXPECT_TRUE(mutator.IsSlow());
  absl::StatusOr<Proposal> proposal = mutator.Propose(context_);
  ASSERT_TRUE(proposal.ok()) << proposal.status();
  EXPECT_EQ(proposal->program.at("params.sh"), "X=13\nY=2\n");
  EXPECT_EQ(proposal->mutator, "llm");
  EXPECT_EQ(proposal->description, "m1 diff: 1 SEARCH/REPLACE block in params.sh");
  EXPECT_EQ(proposal->llm_call_id, 101);
  ASSERT_EQ(log_.records.size(), 1u);
  const LlmCallRecord& record = log_.records[0];
  ASSERT_EQ(client.requests().size(), 1u);
  const LlmRequest request = client.requests()[0];
  EXPECT_EQ(record.outcome, "ok");
  EXPECT_EQ(record.provider, "openai");
  EXPECT_EQ(record.prompt_hash, PromptHash(request));
  EXPECT_EQ(record.prompt, PromptText(request));
  EXPECT_EQ(record.response, kGoodEdit);
  EXPECT_EQ(record.parent_id, 5);
  EXPECT_EQ(record.attempts, 2);
  EXPECT_DOUBLE_EQ(record.latency_seconds, 1.5);
  EXPECT_EQ(request.model, "m1");
  EXPECT_EQ(request.max_tokens, 1000);
  ASSERT_EQ(request.messages.size(), 1u);
  EXPECT_EQ(request.messages[0].role, "user");
  EXPECT_THAT(request.messages[0].content,
              AllOf(HasSubstr("X=1\nY=2\n"), Not(HasSubstr("SECRET")), HasSubstr("SEARCH")));
  EXPECT_THAT(request.system, HasSubstr("quadratic"));
}

TEST_F(LlmMutatorTest, SpendIsReservedThenSettled) {
  ScriptedClient client({Reply(kGoodEdit, 100, 50)});
  SpendMeter meter({});
  std::optional<Spend> reserved;
  client.during_call_ = [&] { reserved = meter.reserved(); };
  LlmMutator mutator = Make(&client, &meter);
  ASSERT_TRUE(mutator.Propose(context_).ok());
  const LlmRequest request = client.requests()[0];
  // A true bound: one token per byte, plus 16 per message and the reply's.
  int64_t estimate = static_cast<int64_t>(request.system.size() + 16 +
                                          request.messages[0].content.size() + 16 + 16);
  ASSERT_TRUE(reserved.has_value());
  EXPECT_EQ(reserved->calls, 1);
  EXPECT_EQ(reserved->input_tokens, estimate + 1000);
  EXPECT_NEAR(reserved->cost_usd, (estimate * 1.0 + 1000 * 2.0) / 1e6, 1e-12);
  Spend settled = meter.settled();
  EXPECT_EQ(settled.calls, 1);
  EXPECT_EQ(settled.input_tokens, 100);
  EXPECT_EQ(settled.output_tokens, 50);
  EXPECT_NEAR(settled.cost_usd, 200e-6, 1e-12);
  EXPECT_EQ(meter.reserved().calls, 0);
  EXPECT_NEAR(log_.records[0].cost_usd, 200e-6, 1e-12);
  EXPECT_EQ(log_.records[0].input_tokens, 100);
}

TEST(ReplyTokensTest, SizedToTheEditableFiles) {
  const std::vector<std::string> editable = {"*.py"};
  // Small files: the floor.
  EXPECT_EQ(ReplyTokens({{"a.py", "x = 1\n"}}, editable), 1024);
  // 12 KB of editable code: 4000 tokens to rewrite it, 1000 more, 512 of prose.
  EXPECT_EQ(ReplyTokens({{"a.py", std::string(12000, 'x')}, {"big.bin", std::string(1 << 20, 'y')}},
                        editable),
            5512);
  // The ceiling.
  EXPECT_EQ(ReplyTokens({{"a.py", std::string(1 << 20, 'x')}}, editable), 8192);
}

TEST_F(LlmMutatorTest, AModelWithoutMaxTokensGetsTheEditsBudget) {
  ScriptedClient client({Reply(kGoodEdit, 100, 50)});
  SpendMeter meter({});
  std::optional<Spend> reserved;
  client.during_call_ = [&] { reserved = meter.reserved(); };
  ModelConfig model = Model("m1");
  model.max_tokens = 0;
  absl::StatusOr<std::unique_ptr<LlmMutator>> mutator =
      LlmMutator::Create({model}, {&client}, prompts_, &log_, &meter, ModeMix{1, 0});
  ASSERT_TRUE(mutator.ok()) << mutator.status();
  ASSERT_TRUE((*mutator)->Propose(context_).ok());
  const int budget = ReplyTokens(*context_.parent, context_.editable);
  EXPECT_EQ(client.requests()[0].max_tokens, budget);
  ASSERT_TRUE(reserved.has_value());
  EXPECT_NEAR(reserved->cost_usd,
              (static_cast<double>(reserved->input_tokens - budget) + 2.0 * budget) / 1e6, 1e-12);
}

TEST_F(LlmMutatorTest, CachedReplyCostsNothingAndIsUsedOncePerPrompt) {
  log_.cache_everything = kGoodEdit;
  ScriptedClient client({Reply(kGoodEdit)});
  SpendMeter meter({});
  LlmMutator mutator = Make(&client, &meter);
  absl::StatusOr<Proposal> proposal = mutator.Propose(context_);
  ASSERT_TRUE(proposal.ok()) << proposal.status();
  EXPECT_EQ(proposal->program.at("params.sh"), "X=13\nY=2\n");
  EXPECT_TRUE(client.requests().empty());
  EXPECT_EQ(meter.settled().calls, 0);
  EXPECT_EQ(meter.settled().cost_usd, 0);
  ASSERT_EQ(log_.records.size(), 1u);
  EXPECT_EQ(log_.records[0].outcome, "cached");
  EXPECT_EQ(log_.records[0].attempts, 0);
  EXPECT_EQ(log_.records[0].cost_usd, 0);
  ASSERT_EQ(log_.lookups.size(), 1u);
  EXPECT_EQ(log_.lookups[0], "m1/" + log_.records[0].prompt_hash);
  // The same prompt again: a fresh answer from the model, not the same child.
  ASSERT_TRUE(mutator.Propose(context_).ok());
  EXPECT_EQ(client.requests().size(), 1u);
  EXPECT_EQ(log_.records[1].outcome, "ok");
}

TEST_F(LlmMutatorTest, ExhaustedBudgetEndsTheRun) {
  ScriptedClient client({Reply(kGoodEdit)});
  SpendCaps caps;
  caps.max_cost_usd = 0.001;
  SpendMeter meter(caps);  // a call's worst case is > $0.002
  LlmMutator mutator = Make(&client, &meter);
  absl::StatusOr<Proposal> proposal = mutator.Propose(context_);
  EXPECT_EQ(proposal.status().code(), absl::StatusCode::kResourceExhausted) << proposal.status();
  EXPECT_TRUE(client.requests().empty());
  ASSERT_EQ(log_.records.size(), 1u);
  EXPECT_EQ(log_.records[0].outcome, "budget");
  EXPECT_EQ(log_.records[0].attempts, 0);
}

TEST_F(LlmMutatorTest, BudgetHeldByCallsInFlightIsATryAgain) {
  ScriptedClient client({Reply(kGoodEdit)});
  SpendCaps caps;
  caps.max_cost_usd = 0.004;
  SpendMeter meter(caps);
  ASSERT_TRUE(meter.Reserve(0, 0.003).ok());  // another call in flight
  LlmMutator mutator = Make(&client, &meter);
  absl::StatusOr<Proposal> proposal = mutator.Propose(context_);
  EXPECT_EQ(proposal.status().code(), absl::StatusCode::kAborted) << proposal.status();
  EXPECT_TRUE(client.requests().empty());
}

TEST_F(LlmMutatorTest, RejectedReplyIsRecordedAndFedBack) {
  ScriptedClient client({Reply(kBadEdit), Reply(kGoodEdit)});
  SpendMeter meter({});
  LlmMutator mutator = Make(&client, &meter);
  absl::StatusOr<Proposal> proposal = mutator.Propose(context_);
  ASSERT_EQ(proposal.status().code(), absl::StatusCode::kFailedPrecondition) << proposal.status();
  EXPECT_THAT(
      std::string(proposal.status().message()),
      AllOf(HasSubstr("m1 diff rejected"), HasSubstr("block 1"), HasSubstr("matches nowhere")));
  ASSERT_EQ(log_.records.size(), 1u);
  EXPECT_EQ(log_.records[0].outcome, "rejected");
  EXPECT_THAT(log_.records[0].error, AllOf(HasSubstr("block 1 (params.sh"), HasSubstr("Z=9")));
  EXPECT_EQ(meter.settled().calls, 1);  // a rejected reply was still paid for
  EXPECT_THAT(mutator.PreviousRejection(parent_), HasSubstr("matches nowhere"));

  ASSERT_TRUE(mutator.Propose(context_).ok());
  EXPECT_THAT(client.requests()[1].messages[0].content,
              AllOf(HasSubstr("was rejected"), HasSubstr(log_.records[0].error)));
  EXPECT_THAT(client.requests()[0].messages[0].content, Not(HasSubstr("was rejected")));
  EXPECT_EQ(mutator.PreviousRejection(parent_), "");  // forgotten after a success
}

TEST_F(LlmMutatorTest, FailedParentGetsARepairPrompt) {
  ScriptedClient client({Reply(kGoodEdit)});
  SpendMeter meter({});
  LlmMutator mutator = Make(&client, &meter);
  context_.parent_info.outcome = "build_error";
  context_.parent_info.failure = "params.sh: line 3: syntax error\n";
  absl::StatusOr<Proposal> proposal = mutator.Propose(context_);
  ASSERT_TRUE(proposal.ok()) << proposal.status();
  EXPECT_EQ(proposal->description, "m1 repair: 1 SEARCH/REPLACE block in params.sh");
  EXPECT_THAT(client.requests()[0].messages[0].content,
              AllOf(HasSubstr("Outcome: build_error"), HasSubstr("line 3: syntax error"),
                    HasSubstr("Fix the program")));
}

// A prompt over the model's cap drops its inspirations first; if still too
// large, the proposal is refused before any request goes out.
TEST_F(LlmMutatorTest, PromptsOverTheCapShedInspirationsOrAreRefused) {
  ScriptedClient client({Reply(kGoodEdit)});
  SpendMeter meter({});
  ModelConfig model = Model("m1");
  LlmMutator mutator({model}, {&client}, prompts_, &log_, &meter, {1, 0});
  absl::StatusOr<Proposal> plain = mutator.Propose(context_);
  ASSERT_TRUE(plain.ok()) << plain.status();
  const size_t plain_size =
      client.requests()[0].system.size() + client.requests()[0].messages[0].content.size();

  Program big = {{"params.sh", std::string(20000, '#') + "\nX=1\n"}};
  context_.inspirations = {{9, &big, {}, 3.0, "ok", "", ""}};
  model.max_prompt_bytes = static_cast<int64_t>(plain_size) + 2000;
  ScriptedClient second({Reply(kGoodEdit)});
  LlmMutator capped({model}, {&second}, prompts_, &log_, &meter, {1, 0});
  ASSERT_TRUE(capped.Propose(context_).ok());
  EXPECT_THAT(second.requests()[0].messages[0].content, Not(HasSubstr("## Program 9")));

  context_.parent = &big;
  context_.parent_info.program = &big;
  ScriptedClient third({Reply(kGoodEdit)});
  LlmMutator refusing({model}, {&third}, prompts_, &log_, &meter, {1, 0});
  absl::StatusOr<Proposal> refused = refusing.Propose(context_);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  EXPECT_THAT(std::string(refused.status().message()),
              AllOf(HasSubstr("over the cap"), HasSubstr("max_prompt_bytes")));
  EXPECT_TRUE(third.requests().empty());

  // A known context window caps it too: (context - max_tokens) x 3 bytes.
  model.max_prompt_bytes = 1 << 20;
  model.context_tokens = model.max_tokens + 1000;
  ScriptedClient fourth({Reply(kGoodEdit)});
  LlmMutator windowed({model}, {&fourth}, prompts_, &log_, &meter, {1, 0});
  refused = windowed.Propose(context_);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("cap of 3000"));
}

TEST_F(LlmMutatorTest, LongFeedbackIsCutBeforeAPromptIsRefused) {
  ScriptedClient client({Reply(kGoodEdit)});
  SpendMeter meter({});
  ModelConfig model = Model("m1");
  LlmMutator plain_mutator({model}, {&client}, prompts_, &log_, &meter, {1, 0});
  ASSERT_TRUE(plain_mutator.Propose(context_).ok());
  const size_t plain_size =
      client.requests()[0].system.size() + client.requests()[0].messages[0].content.size();
  // A failed parent with 30 KB of output: over a cap the prompt would meet
  // with its last lines only.
  std::string output;
  for (int i = 0; i < 1000; ++i) output += "error line " + std::to_string(i) + " of the build\n";
  context_.parent_info.outcome = "build_error";
  context_.parent_info.failure = output;
  model.max_prompt_bytes = static_cast<int64_t>(plain_size) + 4000;
  ScriptedClient cut({Reply(kGoodEdit)});
  LlmMutator capped({model}, {&cut}, prompts_, &log_, &meter, {1, 0});
  absl::StatusOr<Proposal> proposal = capped.Propose(context_);
  ASSERT_TRUE(proposal.ok()) << proposal.status();
  const std::string& sent = cut.requests()[0].messages[0].content;
  EXPECT_THAT(sent, HasSubstr("cut to fit the model's context"));
  EXPECT_THAT(sent, HasSubstr("error line 999 of the build"));  // the end is what matters
  EXPECT_THAT(sent, Not(HasSubstr("error line 10 of the build\n")));
  EXPECT_LE(sent.size() + cut.requests()[0].system.size(),
            static_cast<size_t>(model.max_prompt_bytes));
}

TEST_F(LlmMutatorTest, RewriteModeFromTheMix) {
  ScriptedClient client({Reply("```bash params.sh\nX=2\nY=2\n```\n")});
  SpendMeter meter({});
  LlmMutator mutator = Make(&client, &meter, {0, 1});
  absl::StatusOr<Proposal> proposal = mutator.Propose(context_);
  ASSERT_TRUE(proposal.ok()) << proposal.status();
  EXPECT_EQ(proposal->description, "m1 rewrite: rewrote params.sh");
  EXPECT_THAT(client.requests()[0].messages[0].content, Not(HasSubstr("<<<<<<< SEARCH")));
}

TEST_F(LlmMutatorTest, ModelsAreDrawnByWeight) {
  ScriptedClient heavy({Reply(kGoodEdit)}), light({Reply(kGoodEdit)});
  SpendMeter meter({});
  LlmMutator mutator({Model("heavy", 0.8), Model("light", 0.2)}, {&heavy, &light}, prompts_, &log_,
                     &meter, {1, 0});
  const int kDraws = 2000;
  for (int i = 0; i < kDraws; ++i) ASSERT_TRUE(mutator.Propose(context_).ok());
  double share = static_cast<double>(heavy.requests().size()) / kDraws;
  EXPECT_EQ(heavy.requests().size() + light.requests().size(), static_cast<size_t>(kDraws));
  EXPECT_GT(share, 0.75);
  EXPECT_LT(share, 0.85);
  EXPECT_EQ(light.requests().at(0).model, "light");
}

TEST_F(LlmMutatorTest, TheBanditLearnsFromObservedChildren) {
  ScriptedClient first({Reply(kGoodEdit)}), second({Reply(kGoodEdit)});
  SpendMeter meter({});
  LlmMutator mutator({Model("first"), Model("second")}, {&first, &second}, prompts_, &log_, &meter,
                     {1, 0});
  mutator.EnableModelBandit();
  absl::StatusOr<Proposal> a = mutator.Propose(context_);
  absl::StatusOr<Proposal> b = mutator.Propose(context_);
  ASSERT_TRUE(a.ok() && b.ok());
  // Each model once before either twice; each proposal names its model.
  EXPECT_EQ(first.requests().size(), 1u);
  EXPECT_EQ(second.requests().size(), 1u);
  EXPECT_NE(a->arm, b->arm);
  mutator.Observe("1", true);
  mutator.Observe("0", false);
  mutator.Observe("not a model", true);  // ignored
  std::vector<ModelBandit::Arm> stats = mutator.ModelStats();
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].calls, 1);
  EXPECT_EQ(stats[1].wins, 1);
  EXPECT_EQ(stats[0].wins, 0);
  EXPECT_GT(stats[0].cost_usd, 0);  // priced calls count toward the cost
}

TEST_F(LlmMutatorTest, ClientErrorsAreRecordedWithTheirOutcome) {
  // The service failing is Unavailable; the model's own answer is FailedPrecondition.
  const std::tuple<absl::Status, std::string, absl::StatusCode> cases[] = {
      {absl::DeadlineExceededError("timed out after 300s"), "timeout",
       absl::StatusCode::kUnavailable},
      {absl::DataLossError("malformed JSON"), "malformed", absl::StatusCode::kUnavailable},
      {absl::UnavailableError("HTTP 503 after 5 attempts"), "http_error",
       absl::StatusCode::kUnavailable},
      {absl::FailedPreconditionError("the model refused: content policy"), "refused",
       absl::StatusCode::kFailedPrecondition},
      {absl::FailedPreconditionError("empty reply"), "empty",
       absl::StatusCode::kFailedPrecondition},
      {absl::CancelledError("stopping"), "cancelled", absl::StatusCode::kCancelled}};
  for (const auto& [status, outcome, code] : cases) {
    ScriptedClient client({status});
    SpendMeter meter({});
    LlmMutator mutator = Make(&client, &meter);
    absl::StatusOr<Proposal> proposal = mutator.Propose(context_);
    ASSERT_EQ(proposal.status().code(), code) << outcome;
    EXPECT_THAT(std::string(proposal.status().message()), HasSubstr(status.message()));
    EXPECT_EQ(log_.records.back().outcome, outcome);
    EXPECT_EQ(log_.records.back().error, status.message());
    EXPECT_EQ(meter.reserved().calls, 0) << outcome;
  }
}

TEST_F(LlmMutatorTest, EmptyReplyAndCallLogFailure) {
  ScriptedClient client({Reply("  \n")});
  SpendMeter meter({});
  LlmMutator mutator = Make(&client, &meter);
  EXPECT_EQ(mutator.Propose(context_).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(log_.records.back().outcome, "empty");
  log_.fail_writes = absl::InternalError("disk full");
  absl::StatusOr<Proposal> proposal = mutator.Propose(context_);
  EXPECT_EQ(proposal.status().code(), absl::StatusCode::kInternal);
}

TEST_F(LlmMutatorTest, AGrammarModelIsAskedForADiffUnderTheEditGrammar) {
  ScriptedClient client({Reply(kGoodEdit)});
  SpendMeter meter({});
  ModelConfig constrained = Model("m1");
  constrained.grammar = GrammarUse::kOn;
  // Rewrite-only mix: the grammar still makes the call a diff.
  LlmMutator mutator({constrained}, {&client}, prompts_, &log_, &meter, {0, 1});
  absl::StatusOr<Proposal> proposal = mutator.Propose(context_);
  ASSERT_TRUE(proposal.ok()) << proposal.status();
  EXPECT_EQ(proposal->description, "m1 diff: 1 SEARCH/REPLACE block in params.sh");
  const LlmRequest request = client.requests()[0];
  EXPECT_EQ(request.grammar, DiffGrammar(parent_, context_.editable).value());
  EXPECT_THAT(request.grammar, AllOf(HasSubstr("params.sh"), Not(HasSubstr("SECRET"))));

  ModelConfig plain = Model("m1");
  plain.grammar = GrammarUse::kAuto;  // unresolved (no server said llama.cpp): off
  LlmMutator unconstrained({plain}, {&client}, prompts_, &log_, &meter, {1, 0});
  ASSERT_TRUE(unconstrained.Propose(context_).ok());
  EXPECT_EQ(client.requests()[1].grammar, "");
}

TEST_F(LlmMutatorTest, CreateChecksTheConfiguration) {
  ScriptedClient client({Reply(kGoodEdit)});
  SpendMeter meter({});
  EXPECT_TRUE(LlmMutator::Create({Model("m")}, {&client}, prompts_, &log_, &meter).ok());
  EXPECT_FALSE(LlmMutator::Create({}, {}, prompts_, &log_, &meter).ok());
  EXPECT_FALSE(LlmMutator::Create({Model("m")}, {}, prompts_, &log_, &meter).ok());
  EXPECT_FALSE(LlmMutator::Create({Model("m", 0)}, {&client}, prompts_, &log_, &meter).ok());
  EXPECT_FALSE(LlmMutator::Create({Model("m")}, {&client}, prompts_, &log_, &meter, {0, 0}).ok());
  EXPECT_FALSE(LlmMutator::Create({Model("m")}, {&client}, prompts_, nullptr, &meter).ok());
  ModelConfig anthropic = Model("claude");
  anthropic.provider = Provider::kAnthropic;
  anthropic.grammar = GrammarUse::kOn;
  absl::StatusOr<std::unique_ptr<LlmMutator>> refused =
      LlmMutator::Create({anthropic}, {&client}, prompts_, &log_, &meter);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("grammar = on"));
}

}  // namespace
}  // namespace cambrian::mutators
