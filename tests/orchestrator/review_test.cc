#include "orchestrator/review.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "tests/testing/in_memory_archive.h"

namespace cambrian::orchestrator {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

archive::Candidate MakeCandidate(int64_t id, std::optional<double> fitness) {
  archive::Candidate c;
  c.id = id;
  c.mutator = "knob";
  c.description = "kTile 32 -> 64 (matmul.cpp:12)";
  c.status = archive::CandidateStatus::kDone;
  c.outcome = fitness ? Outcome::kOk : Outcome::kRuntimeError;
  c.fitness = fitness;
  c.program_hash = std::string(64, 'a');
  c.created_at = absl::FromUnixSeconds(1700000000);
  return c;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

std::vector<std::string> Fields(const std::string& line) {
  return absl::StrSplit(line, ' ', absl::SkipEmpty());
}

TEST(FormatLeaderboardTest, HeaderAndRowsInTheGivenOrder) {
  archive::Candidate best = MakeCandidate(7, 12.5);
  best.parent_id = 3;
  best.metrics = {{"code_lines", 40}, {"gflops", 812.25}, {"time_s", 0.5}};
  archive::Candidate second = MakeCandidate(3, 4);
  second.mutator = "seed";
  archive::Candidate failed = MakeCandidate(9, std::nullopt);
  failed.parent_id = 7;
  archive::Candidate running = MakeCandidate(10, std::nullopt);
  running.status = archive::CandidateStatus::kRunning;
  running.outcome.reset();

  std::vector<std::string> lines = Lines(FormatLeaderboard({best, second, failed, running}));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(Fields(lines[0]), (std::vector<std::string>{"rank", "id", "fitness", "status",
                                                        "mutator", "parent", "metrics", "change"}));
  // rank id fitness status mutator parent ...
  std::vector<std::string> row = Fields(lines[1]);
  ASSERT_GE(row.size(), 6u);
  EXPECT_EQ(row[0], "1");
  EXPECT_EQ(row[1], "#7");
  EXPECT_EQ(row[2], "12.5");
  EXPECT_EQ(row[3], "ok");
  EXPECT_EQ(row[4], "knob");
  EXPECT_EQ(row[5], "#3");
  EXPECT_THAT(lines[1], HasSubstr("gflops=812.2"));
  EXPECT_THAT(lines[1], HasSubstr("time_s=0.5"));
  EXPECT_THAT(lines[1], Not(HasSubstr("code_lines")));
  EXPECT_THAT(lines[1], HasSubstr("kTile 32 -> 64 (matmul.cpp:12)"));

  row = Fields(lines[2]);
  EXPECT_EQ(row[0], "2");
  EXPECT_EQ(row[1], "#3");
  EXPECT_EQ(row[4], "seed");
  EXPECT_EQ(row[5], "-");  // no parent

  row = Fields(lines[3]);
  EXPECT_EQ(row[0], "3");
  EXPECT_EQ(row[1], "#9");
  EXPECT_EQ(row[2], "-");  // no fitness
  EXPECT_EQ(row[3], "runtime_error");

  row = Fields(lines[4]);
  EXPECT_EQ(row[1], "#10");
  EXPECT_EQ(row[2], "-");
  EXPECT_EQ(row[3], "running");  // no outcome yet: the status
}

TEST(FormatLeaderboardTest, TruncatesLongFields) {
  archive::Candidate c = MakeCandidate(1, 1);
  c.mutator = "a-very-long-mutator-name";
  c.description = std::string(100, 'd');
  c.metrics = {{"m1", 1}, {"m2", 2}, {"m3", 3}, {"m4", 4}};
  std::vector<std::string> lines = Lines(FormatLeaderboard({c}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[1], HasSubstr("a-very..."));
  EXPECT_THAT(lines[1], Not(HasSubstr("a-very-l")));
  EXPECT_THAT(lines[1], HasSubstr(std::string(57, 'd') + "..."));
  EXPECT_THAT(lines[1], Not(HasSubstr(std::string(58, 'd'))));
  EXPECT_THAT(lines[1], HasSubstr("m1=1 m2=2 m3=3 m4=4"));
}

// Issue 15: the metrics column was cut at 35 characters whatever it held.
TEST(FormatLeaderboardTest, TheMetricsColumnIsAsWideAsItsWidestCell) {
  archive::Candidate c = MakeCandidate(1, 1);
  c.metrics = {{"val_loss", 2.3456}, {"params_m", 12.5}, {"peak_mem_gb", 3.25}};
  const std::string all = "params_m=12.5 peak_mem_gb=3.25 val_loss=2.346";
  EXPECT_THAT(FormatLeaderboard({c}), HasSubstr(all));
  for (int i = 0; i < 9; ++i) c.metrics[absl::StrCat("metric_", i)] = i;
  std::vector<std::string> cut = Lines(FormatLeaderboard({c}));
  EXPECT_THAT(cut[1], HasSubstr("..."));  // 8 metrics, over 72 characters
  EXPECT_THAT(Lines(FormatLeaderboard({c}, {.wide = true}))[1], Not(HasSubstr("...")));
}

// Issue 15: rows within the task's noise of the best were not marked.
TEST(FormatLeaderboardTest, RowsWithinTheNoiseOfTheBestAreMarkedTies) {
  std::vector<archive::Candidate> rows = {MakeCandidate(4, 10.0), MakeCandidate(2, 9.96),
                                          MakeCandidate(3, 9.5), MakeCandidate(5, std::nullopt)};
  std::vector<std::string> lines = Lines(FormatLeaderboard(rows, {.noise = {.absolute = 0.05}}));
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(Fields(lines[1])[0], "1");
  EXPECT_EQ(Fields(lines[2])[0], "2~");
  EXPECT_EQ(Fields(lines[3])[0], "3");
  EXPECT_EQ(Fields(lines[4])[0], "4");
  EXPECT_THAT(lines[5], HasSubstr("noise floor (0.05)"));
  EXPECT_EQ(Lines(FormatLeaderboard(rows)).size(), 5u);  // no noise given: no marks
}

// Issue 15: no best-over-time history.
TEST(BestOverTimeTest, EachNewBestInTheOrderItFinished) {
  std::vector<archive::Candidate> all;
  const double fitness[] = {3, 2, 5, 5, 4, 7};
  for (int i = 0; i < 6; ++i) {
    all.push_back(MakeCandidate(i + 1, fitness[i]));
    all.back().finished_at = absl::FromUnixSeconds(1700000000 + 10 * (6 - i));  // reverse order
  }
  all.push_back(MakeCandidate(7, std::nullopt));
  // Finished last to first: 7, 4, 5, 5, 2, 3 - each new best by maximising.
  std::vector<archive::Candidate> up = BestOverTime(all, /*maximize=*/true);
  std::vector<int64_t> ids;
  for (const archive::Candidate& c : up) ids.push_back(c.id);
  EXPECT_EQ(ids, (std::vector<int64_t>{6}));
  std::vector<archive::Candidate> down = BestOverTime(all, /*maximize=*/false);
  ids.clear();
  for (const archive::Candidate& c : down) ids.push_back(c.id);
  EXPECT_EQ(ids, (std::vector<int64_t>{6, 5, 2}));
  const std::string text = FormatBestOverTime(down, absl::FromUnixSeconds(1700000000));
  EXPECT_THAT(text, HasSubstr("#5"));
  EXPECT_THAT(text, HasSubstr("(-3)"));
  EXPECT_THAT(FormatBestOverTime({}, absl::Now()), HasSubstr("no candidate has a fitness"));
}

TEST(FormatLeaderboardTest, EmptySaysSo) {
  std::vector<std::string> lines = Lines(FormatLeaderboard({}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], StartsWith("rank"));
  EXPECT_EQ(lines[1], "(no candidates yet)");
}

// Issue 15: the end summary did not mention LLM answers fetched but never
// evaluated.
TEST(FormatLlmOutcomesTest, EveryOutcomeAndTheAnswersNeverEvaluated) {
  archive::LlmTotals totals;
  totals.outcomes = {{"ok", 8}, {"rejected", 3}, {"timeout", 1}, {"cancelled", 2}};
  totals.unevaluated = 2;
  EXPECT_EQ(FormatLlmOutcomes(totals),
            "14 calls: 8 ok (2 never evaluated), 3 rejected, 2 cancelled, 1 timeout");
  EXPECT_EQ(FormatLlmOutcomes({}), "no calls");
}

// Issue 15: 200 evaluations in 24 s showed as 20/min (a fixed 10 minutes).
TEST(RecentRateTest, AShortRunIsRatedOverItsOwnSpan) {
  const absl::Time start = absl::FromUnixSeconds(1000);
  std::vector<absl::Time> finished;
  for (int i = 1; i <= 200; ++i) finished.push_back(start + absl::Milliseconds(120 * i));
  EvaluationRate stopped = RecentRate(finished, start, start + absl::Hours(3), false);
  EXPECT_EQ(stopped.evaluations, 200);
  EXPECT_EQ(stopped.window, absl::Seconds(24));
  EXPECT_NEAR(stopped.per_minute, 500, 1e-9);
  // Running: the window ends now, so a stall shows as a falling rate.
  EvaluationRate running = RecentRate(finished, start, start + absl::Seconds(48), true);
  EXPECT_NEAR(running.per_minute, 250, 1e-9);
}

TEST(RecentRateTest, ALongRunIsRatedOverItsLastTenMinutes) {
  const absl::Time start = absl::FromUnixSeconds(0);
  std::vector<absl::Time> finished;
  for (int i = 1; i <= 3600; ++i) finished.push_back(start + absl::Seconds(i));  // 60/min
  for (int i = 1; i <= 1200; ++i) {                                              // then 120/min
    finished.push_back(start + absl::Seconds(3600) + absl::Milliseconds(500 * i));
  }
  EvaluationRate rate = RecentRate(finished, start, start + absl::Seconds(4200), true);
  EXPECT_EQ(rate.window, absl::Minutes(10));
  EXPECT_NEAR(rate.per_minute, 120.1, 1e-9);  // 1200, and the one at the window's start
  EXPECT_EQ(RecentRate({}, start, start, true).evaluations, 0);
}

TEST(CandidateJsonTest, HasTheDocumentedKeys) {
  archive::Candidate c = MakeCandidate(5, 2.5);
  c.parent_id = 2;
  c.metrics = {{"x", 3}};
  c.feedback = "fine";
  nlohmann::json json = CandidateJson(c);
  std::set<std::string> keys;
  for (const auto& [key, value] : json.items()) keys.insert(key);
  EXPECT_EQ(keys,
            (std::set<std::string>{"id", "parent_id", "second_parent_id", "mutator", "description",
                                   "status", "outcome", "fitness", "objectives", "metrics",
                                   "feedback", "program_hash", "created_at", "finished_at"}));
  EXPECT_EQ(json["id"], 5);
  EXPECT_EQ(json["parent_id"], 2);
  EXPECT_TRUE(json["second_parent_id"].is_null());
  EXPECT_EQ(json["mutator"], "knob");
  EXPECT_EQ(json["status"], "done");
  EXPECT_EQ(json["outcome"], "ok");
  EXPECT_EQ(json["fitness"], 2.5);
  EXPECT_EQ(json["metrics"]["x"], 3);
  EXPECT_EQ(json["feedback"], "fine");
  EXPECT_EQ(json["created_at"], "2023-11-14T22:13:20+00:00");
  EXPECT_TRUE(json["finished_at"].is_null());

  c.finished_at = absl::FromUnixSeconds(1700000060);
  c.fitness.reset();
  c.outcome.reset();
  json = CandidateJson(c);
  EXPECT_EQ(json["finished_at"], "2023-11-14T22:14:20+00:00");
  EXPECT_TRUE(json["fitness"].is_null());
  EXPECT_TRUE(json["outcome"].is_null());
}

TEST(DumpJsonTest, ReplacesInvalidUtf8) {
  nlohmann::json json = {{"output", std::string("ok \xff\xfe bytes")}};
  std::string text;
  ASSERT_NO_THROW(text = DumpJson(json));
  EXPECT_THAT(text, HasSubstr("ok \xEF\xBF\xBD"));  // U+FFFD
  EXPECT_THAT(text, HasSubstr("bytes"));
  EXPECT_EQ(nlohmann::json::parse(text)["output"].get<std::string>().substr(0, 3), "ok ");
}

TEST(DumpJsonTest, PrettyPrintsValidJson) {
  nlohmann::json json = {{"a", 1}, {"b", {1, 2}}};
  std::string text = DumpJson(json);
  EXPECT_THAT(text, HasSubstr("\n  \"a\": 1"));
  EXPECT_EQ(nlohmann::json::parse(text), json);
}

class ArchiveReviewTest : public ::testing::Test {
 protected:
  int64_t Add(const std::string& mutator, const std::string& text,
              std::optional<int64_t> parent = std::nullopt) {
    absl::StatusOr<std::string> hash = archive_.PutProgram({{"p.txt", text}});
    EXPECT_TRUE(hash.ok());
    archive::NewCandidate candidate;
    candidate.program_hash = *hash;
    candidate.mutator = mutator;
    candidate.parent_id = parent;
    absl::StatusOr<int64_t> id = archive_.AddCandidate(candidate);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or(0);
  }

  testing::InMemoryArchive archive_;
};

TEST_F(ArchiveReviewTest, SeedIdFindsTheSeedCandidate) {
  absl::StatusOr<int64_t> none = SeedId(archive_);
  EXPECT_TRUE(absl::IsNotFound(none.status())) << none.status();
  Add("import", "a");
  int64_t seed = Add("seed", "b");
  Add("knob", "c", seed);
  absl::StatusOr<int64_t> id = SeedId(archive_);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, seed);
}

TEST_F(ArchiveReviewTest, GetCandidateOrExplain) {
  absl::StatusOr<archive::Candidate> missing = GetCandidateOrExplain(archive_, 1);
  ASSERT_TRUE(absl::IsNotFound(missing.status())) << missing.status();
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("no candidate #1"));
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("no candidates yet"));

  int64_t seed = Add("seed", "a");
  Add("knob", "b", seed);
  Add("knob", "c", seed);
  absl::StatusOr<archive::Candidate> found = GetCandidateOrExplain(archive_, 2);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->id, 2);
  EXPECT_EQ(found->parent_id, seed);

  for (int64_t id : {0, 4, 99}) {
    absl::StatusOr<archive::Candidate> out = GetCandidateOrExplain(archive_, id);
    ASSERT_TRUE(absl::IsNotFound(out.status())) << out.status();
    EXPECT_THAT(std::string(out.status().message()), HasSubstr("#1..#3"));
    EXPECT_THAT(std::string(out.status().message()), HasSubstr(absl::StrCat("#", id, " ")));
  }
}

}  // namespace
}  // namespace cambrian::orchestrator
