// The LLM call part of the Archive contract (table llm_calls), run against
// SqliteArchive and the InMemoryArchive fake.
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/archive/archive_factories.h"
#include "tests/archive/archive_test_util.h"

namespace cambrian::archive {
namespace {

using test::SampleCandidate;
using test::SampleProgram;

LlmCall SampleCall(const std::string& outcome, const std::string& response,
                   const std::string& model = "gpt-4.1-mini", const std::string& hash = "h1") {
  LlmCall call;
  call.provider = "openai";
  call.model = model;
  call.prompt_hash = hash;
  call.prompt = "[system]\nYou improve code.\n[user]\nMake it faster.";
  call.response = response;
  call.input_tokens = 120;
  call.output_tokens = 40;
  call.cost_usd = 0.0125;
  call.latency_seconds = 2.5;
  call.attempts = 1;
  call.outcome = outcome;
  return call;
}

template <typename Factory>
class LlmCallContractTest : public ::testing::Test {
 public:
  void SetUp() override {
    archive_ = factory_.Make(&clock_);
    ASSERT_NE(archive_, nullptr);
  }

  int64_t AddCall(const LlmCall& call) {
    auto id = archive_->AddLlmCall(call);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or(-1);
  }

  std::optional<std::string> Find(const std::string& model, const std::string& hash) {
    auto found = archive_->FindLlmResponse(model, hash);
    EXPECT_TRUE(found.ok()) << found.status();
    return found.value_or(std::optional<std::string>("<error>"));
  }

  int64_t AddCandidate(int n, std::optional<int64_t> llm_call_id = {}) {
    auto hash = archive_->PutProgram(SampleProgram(n));
    NewCandidate candidate = SampleCandidate(hash.value_or(""));
    candidate.llm_call_id = llm_call_id;
    auto id = archive_->AddCandidate(candidate);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or(-1);
  }

  Factory factory_;
  test::SettableClock clock_;
  std::unique_ptr<Archive> archive_;
};

TYPED_TEST_SUITE(LlmCallContractTest, test::Implementations);

TYPED_TEST(LlmCallContractTest, RoundTripsEveryField) {
  Archive& archive = *this->archive_;
  const int64_t parent = this->AddCandidate(1);
  LlmCall call = SampleCall("rejected", "<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n");
  call.prompt = std::string(50'000, 'p') + " \xc3\xa9 \0 end";  // big, UTF-8, embedded NUL
  call.prompt += std::string("\0tail", 5);
  call.error = "SEARCH block 1 matches nothing in matmul.cc";
  call.attempts = 3;
  call.parent_id = parent;
  call.id = 77;                              // ignored
  call.time = absl::FromUnixSeconds(12345);  // ignored
  this->clock_.Set(absl::FromUnixSeconds(1'900'000'000));
  ASSERT_OK_AND_ASSIGN(const int64_t id, archive.AddLlmCall(call));
  EXPECT_EQ(id, 1);
  ASSERT_OK_AND_ASSIGN(const LlmCall got, archive.GetLlmCall(id));
  EXPECT_EQ(got.id, 1);
  EXPECT_LT(absl::AbsDuration(got.time - this->clock_.Now()), absl::Milliseconds(1));
  EXPECT_EQ(got.provider, "openai");
  EXPECT_EQ(got.model, "gpt-4.1-mini");
  EXPECT_EQ(got.prompt_hash, "h1");
  EXPECT_EQ(got.prompt, call.prompt);
  EXPECT_EQ(got.response, call.response);
  EXPECT_EQ(got.input_tokens, 120);
  EXPECT_EQ(got.output_tokens, 40);
  EXPECT_EQ(got.cost_usd, 0.0125);
  EXPECT_EQ(got.latency_seconds, 2.5);
  EXPECT_EQ(got.attempts, 3);
  EXPECT_EQ(got.outcome, "rejected");
  EXPECT_EQ(got.error, call.error);
  EXPECT_EQ(got.parent_id, parent);
  // No reply at all, no parent.
  ASSERT_OK_AND_ASSIGN(const int64_t second, archive.AddLlmCall(SampleCall("timeout", "")));
  EXPECT_EQ(second, 2);
  ASSERT_OK_AND_ASSIGN(const LlmCall empty, archive.GetLlmCall(second));
  EXPECT_EQ(empty.response, "");
  EXPECT_EQ(empty.parent_id, std::nullopt);
  EXPECT_EQ(archive.GetLlmCall(3).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(archive.GetLlmCall(0).status().code(), absl::StatusCode::kNotFound);
}

TYPED_TEST(LlmCallContractTest, RejectsBadCallsWithoutUsingAnId) {
  Archive& archive = *this->archive_;
  std::vector<LlmCall> bad(9, SampleCall("ok", "r"));
  bad[0].provider = "";
  bad[1].model = "";
  bad[2].prompt_hash = "";
  bad[3].outcome = "";
  bad[4].input_tokens = -1;
  bad[5].cost_usd = std::nan("");
  bad[6].latency_seconds = -0.5;
  bad[7].parent_id = 0;
  bad[8].parent_id = 5;  // names no candidate
  for (size_t i = 0; i < bad.size(); ++i) {
    EXPECT_EQ(archive.AddLlmCall(bad[i]).status().code(), absl::StatusCode::kInvalidArgument)
        << "case " << i;
  }
  EXPECT_EQ(this->AddCall(SampleCall("ok", "r")), 1);
}

TYPED_TEST(LlmCallContractTest, FindResponseIsTheNewestReusableReply) {
  EXPECT_EQ(this->Find("gpt-4.1-mini", "h1"), std::nullopt);
  this->AddCall(SampleCall("ok", "A"));
  EXPECT_EQ(this->Find("gpt-4.1-mini", "h1"), "A");
  this->AddCall(SampleCall("rejected", "B"));
  EXPECT_EQ(this->Find("gpt-4.1-mini", "h1"), "B");  // newest wins
  // Failed calls, and a success without text, are never served.
  this->AddCall(SampleCall("malformed", "C"));
  this->AddCall(SampleCall("budget", "C"));
  this->AddCall(SampleCall("ok", ""));
  EXPECT_EQ(this->Find("gpt-4.1-mini", "h1"), "B");
  this->AddCall(SampleCall("cached", "D"));
  EXPECT_EQ(this->Find("gpt-4.1-mini", "h1"), "D");
  // Model and hash must both match.
  EXPECT_EQ(this->Find("claude-sonnet-4", "h1"), std::nullopt);
  EXPECT_EQ(this->Find("gpt-4.1-mini", "h2"), std::nullopt);
  this->AddCall(SampleCall("ok", "E", "claude-sonnet-4", "h1"));
  EXPECT_EQ(this->Find("claude-sonnet-4", "h1"), "E");
  EXPECT_EQ(this->Find("gpt-4.1-mini", "h1"), "D");
}

TYPED_TEST(LlmCallContractTest, TotalsCountOnlyBilledCalls) {
  ASSERT_OK_AND_ASSIGN(LlmTotals totals, this->archive_->GetLlmTotals());
  EXPECT_EQ(totals.calls, 0);
  EXPECT_EQ(totals.cost_usd, 0);
  auto call = [](const std::string& outcome, int64_t in, int64_t out, double cost) {
    LlmCall c = SampleCall(outcome, "x");
    c.input_tokens = in;
    c.output_tokens = out;
    c.cost_usd = cost;
    return c;
  };
  this->AddCall(call("ok", 10, 20, 0.5));
  this->AddCall(call("rejected", 1, 2, 0.25));
  this->AddCall(call("http_error", 3, 0, 0));
  this->AddCall(call("cached", 100, 100, 9));  // no request was sent
  this->AddCall(call("budget", 100, 100, 9));  // refused before sending
  ASSERT_OK_AND_ASSIGN(totals, this->archive_->GetLlmTotals());
  EXPECT_EQ(totals.calls, 3);
  EXPECT_EQ(totals.input_tokens, 14);
  EXPECT_EQ(totals.output_tokens, 22);
  EXPECT_DOUBLE_EQ(totals.cost_usd, 0.75);
  // Every call counts by outcome, billed or not.
  EXPECT_EQ(totals.outcomes,
            (std::map<std::string, int64_t>{
                {"ok", 1}, {"rejected", 1}, {"http_error", 1}, {"cached", 1}, {"budget", 1}}));
}

TYPED_TEST(LlmCallContractTest, AnAppliedEditNoCandidateTookIsUnevaluated) {
  const int64_t taken = this->AddCall(SampleCall("ok", "a"));
  this->AddCall(SampleCall("ok", "b"));  // a duplicate child, or left at the stop
  this->AddCall(SampleCall("rejected", "c"));
  this->AddCandidate(1, taken);
  ASSERT_OK_AND_ASSIGN(LlmTotals totals, this->archive_->GetLlmTotals());
  EXPECT_EQ(totals.unevaluated, 1);
  EXPECT_EQ(totals.outcomes["ok"], 2);
}

TYPED_TEST(LlmCallContractTest, ListIsTheNewestOldestFirst) {
  for (const char* response : {"a", "b", "c"}) this->AddCall(SampleCall("ok", response));
  ASSERT_OK_AND_ASSIGN(std::vector<LlmCall> calls, this->archive_->ListLlmCalls(2));
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].id, 2);
  EXPECT_EQ(calls[0].response, "b");
  EXPECT_EQ(calls[1].id, 3);
  EXPECT_EQ(calls[1].prompt, SampleCall("ok", "").prompt);
  ASSERT_OK_AND_ASSIGN(calls, this->archive_->ListLlmCalls(10));
  EXPECT_EQ(calls.size(), 3u);
  ASSERT_OK_AND_ASSIGN(calls, this->archive_->ListLlmCalls(0));
  EXPECT_TRUE(calls.empty());
  EXPECT_EQ(this->archive_->ListLlmCalls(-1).status().code(), absl::StatusCode::kInvalidArgument);
}

TYPED_TEST(LlmCallContractTest, CandidatesLinkToTheirCall) {
  Archive& archive = *this->archive_;
  const int64_t parent = this->AddCandidate(1);
  LlmCall call = SampleCall("ok", "edits");
  call.parent_id = parent;
  const int64_t call_id = this->AddCall(call);
  const int64_t child = this->AddCandidate(2, call_id);
  ASSERT_OK_AND_ASSIGN(Candidate got, archive.GetCandidate(child));
  EXPECT_EQ(got.llm_call_id, call_id);
  ASSERT_OK_AND_ASSIGN(got, archive.GetCandidate(parent));
  EXPECT_EQ(got.llm_call_id, std::nullopt);
  ASSERT_OK_AND_ASSIGN(std::vector<Candidate> list, archive.ListCandidates({}));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].llm_call_id, call_id);
  // The link is checked like a parent.
  ASSERT_OK_AND_ASSIGN(std::string hash, archive.PutProgram(SampleProgram(3)));
  NewCandidate dangling = SampleCandidate(hash);
  dangling.llm_call_id = 99;
  EXPECT_EQ(archive.AddCandidate(dangling).status().code(), absl::StatusCode::kInvalidArgument);
  dangling.llm_call_id = 0;
  EXPECT_EQ(archive.AddCandidate(dangling).status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(std::optional<int64_t> stored, archive.FindCandidateByProgram(hash));
  EXPECT_EQ(stored, std::nullopt);
}

TYPED_TEST(LlmCallContractTest, ProposalThreadsAddCallsConcurrently) {
  constexpr int kThreads = 4;
  constexpr int kCallsEach = 25;
  std::vector<std::vector<std::pair<int64_t, std::string>>> added(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < kCallsEach; ++n) {
        const std::string text = "thread " + std::to_string(t) + " call " + std::to_string(n);
        auto id = this->archive_->AddLlmCall(SampleCall("ok", text, "m", text));
        if (id.ok()) added[t].emplace_back(*id, text);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<int64_t> ids;
  for (const auto& list : added) {
    ASSERT_EQ(list.size(), static_cast<size_t>(kCallsEach));
    for (const auto& [id, text] : list) {
      ids.insert(id);
      ASSERT_OK_AND_ASSIGN(const LlmCall got, this->archive_->GetLlmCall(id));
      EXPECT_EQ(got.response, text);
      EXPECT_EQ(this->Find("m", text), text);
    }
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kCallsEach));
  EXPECT_EQ(*ids.begin(), 1);
  EXPECT_EQ(*ids.rbegin(), kThreads * kCallsEach);
  ASSERT_OK_AND_ASSIGN(const LlmTotals totals, this->archive_->GetLlmTotals());
  EXPECT_EQ(totals.calls, kThreads * kCallsEach);
}

}  // namespace
}  // namespace cambrian::archive
