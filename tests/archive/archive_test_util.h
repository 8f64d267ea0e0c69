// Helpers shared by the archive tests: status assertions, a temporary
// directory, a settable clock, sample inputs and raw SQLite access for tests
// that tamper with the file underneath the archive.
#ifndef CAMBRIAN_TESTS_ARCHIVE_ARCHIVE_TEST_UTIL_H_
#define CAMBRIAN_TESTS_ARCHIVE_ARCHIVE_TEST_UTIL_H_

#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "archive/archive.h"
#include "common/clock.h"
#include "gtest/gtest.h"

namespace cambrian::archive::test {

inline const absl::Status& StatusOf(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

#define ARCHIVE_CONCAT_INNER_(a, b) a##b
#define ARCHIVE_CONCAT_(a, b) ARCHIVE_CONCAT_INNER_(a, b)
#define ASSERT_OK(expr)                                                    \
  do {                                                                     \
    const auto& archive_status_ = (expr);                                  \
    ASSERT_TRUE(::cambrian::archive::test::StatusOf(archive_status_).ok()) \
        << ::cambrian::archive::test::StatusOf(archive_status_);           \
  } while (0)
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                    \
  auto ARCHIVE_CONCAT_(archive_or_, __LINE__) = (expr);    \
  ASSERT_TRUE(ARCHIVE_CONCAT_(archive_or_, __LINE__).ok()) \
      << ARCHIVE_CONCAT_(archive_or_, __LINE__).status();  \
  lhs = std::move(ARCHIVE_CONCAT_(archive_or_, __LINE__)).value()

// A fresh directory under the test temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "/cambrian_archive_XXXXXX";
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A clock that only moves when told to.
class SettableClock : public Clock {
 public:
  absl::Time Now() const override { return now_; }
  void Set(absl::Time now) { now_ = now; }

 private:
  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);
};

inline RunInfo SampleRunInfo(const std::string& goal) {
  return RunInfo{.task_name = "matmul",
                 .task_dir = "/tasks/matmul",
                 .trusted_hash = "abc123",
                 .config_json = R"({"islands":2})",
                 .seed = 42,
                 .goal = goal,
                 .created_at = absl::FromUnixSeconds(1'700'000'000)};
}

// A distinct small program per `n`.
inline Program SampleProgram(int n) {
  return Program{{"main.cc", "int main() { return " + std::to_string(n) + "; }\n"},
                 {"lib/util.h", "// shared\n"}};
}

inline NewCandidate SampleCandidate(const std::string& program_hash) {
  NewCandidate candidate;
  candidate.program_hash = program_hash;
  candidate.mutator = "knob";
  candidate.description = "tweak";
  return candidate;
}

inline StageRecord Stage(const std::string& name, Outcome outcome = Outcome::kOk) {
  StageRecord stage;
  stage.stage = name;
  stage.outcome = outcome;
  stage.exit_code = outcome == Outcome::kOk ? 0 : -1;
  stage.seed = 7;
  return stage;
}

// A passing result with fitness and metric "gflops" = `fitness`, two stages.
inline CandidateResult ScoredResult(double fitness) {
  CandidateResult result;
  result.metrics = {{"gflops", fitness}, {"correct", 1}};
  result.fitness = fitness;
  result.feedback = "fine";
  result.stages = {Stage("build"), Stage("bench")};
  result.stages[0].wall_seconds = 1.5;
  StageRecord& bench = result.stages[1];
  bench.wall_seconds = 2.25;
  bench.cpu_seconds = 2.0;
  bench.peak_rss_bytes = 1 << 20;
  bench.output_tail = "gflops=1\n";
  bench.detail = "ok";
  return result;
}

inline ListOptions Options(bool scored_only, bool best_first, std::optional<int> limit = {}) {
  ListOptions options;
  options.scored_only = scored_only;
  options.best_first = best_first;
  options.limit = limit;
  return options;
}

// Runs `sql` on the file directly, bypassing the archive. Returns the first
// column of the first row as text ("" if none), or "ERROR: message".
inline std::string RawSql(const std::filesystem::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string result;
  if (sqlite3_open(db_path.c_str(), &db) != SQLITE_OK) {
    result = std::string("ERROR: ") + sqlite3_errmsg(db);
  } else {
    sqlite3_busy_timeout(db, 5000);
    char* error = nullptr;
    auto callback = [](void* out, int columns, char** values, char**) {
      auto* text = static_cast<std::string*>(out);
      if (text->empty() && columns > 0 && values[0] != nullptr) *text = values[0];
      return 0;
    };
    if (sqlite3_exec(db, sql.c_str(), callback, &result, &error) != SQLITE_OK) {
      result = std::string("ERROR: ") + (error != nullptr ? error : "?");
      sqlite3_free(error);
    }
  }
  sqlite3_close(db);
  return result;
}

}  // namespace cambrian::archive::test

#endif  // CAMBRIAN_TESTS_ARCHIVE_ARCHIVE_TEST_UTIL_H_
