// The Archive of a run, stored in one SQLite file (RUN_DIR/cambrian.db). The
// tables, the schema versioning rule and example queries are described in
// archive/README.md.
#ifndef CAMBRIAN_ARCHIVE_SQLITE_ARCHIVE_H_
#define CAMBRIAN_ARCHIVE_SQLITE_ARCHIVE_H_

#include <filesystem>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "archive/archive.h"
#include "common/clock.h"

namespace cambrian::archive {

namespace internal {
class Db;
}  // namespace internal

enum class OpenMode {
  kReadWrite,  // the controller: creates the file and schema if missing, migrates an old one
  kReadOnly,   // review commands: never writes, never blocks the writer
};

// Thread-safe: calls on one object are serialised by a mutex. Any number of
// processes may hold the same file open; SQLite's WAL mode lets readers run
// while one writer commits, and writers wait up to 5 s for each other.
//
// Durability: each mutating call is one transaction, committed before the
// call returns (synchronous=NORMAL: survives the process being killed at any
// moment; a power loss may lose the last few commits but never corrupts).
//
// Calls that change the database fail with FailedPrecondition on a read-only
// archive. Errors from SQLite carry the SQL operation and SQLite's message.
class SqliteArchive : public Archive {
 public:
  // Opens (kReadWrite: creating if missing) the database at `db_path`.
  //   NotFound            kReadOnly and the file does not exist
  //   DataLoss            the file is not an SQLite database (the message names it)
  //   FailedPrecondition  the file's schema is newer than this code supports
  //                       (both versions named), is not a cambrian archive, or,
  //                       kReadOnly, is older and needs a read-write open to migrate
  // `clock` stamps created_at/finished_at/event times; null means the system
  // clock. If given it must outlive the archive.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<SqliteArchive>> Open(
      const std::filesystem::path& db_path, OpenMode mode, const Clock* clock = nullptr);

  SqliteArchive(const SqliteArchive&) = delete;
  SqliteArchive& operator=(const SqliteArchive&) = delete;
  ~SqliteArchive() override;

  const std::filesystem::path& path() const { return path_; }
  bool read_only() const { return read_only_; }

  [[nodiscard]] absl::Status SetRunInfo(const RunInfo& info) override;
  [[nodiscard]] absl::StatusOr<RunInfo> GetRunInfo() override;
  [[nodiscard]] absl::StatusOr<std::string> PutProgram(const Program& program) override;
  [[nodiscard]] absl::StatusOr<Program> GetProgram(const std::string& hash) override;
  [[nodiscard]] absl::StatusOr<std::optional<int64_t>> FindCandidateByProgram(
      const std::string& program_hash) override;
  [[nodiscard]] absl::StatusOr<int64_t> AddCandidate(const NewCandidate& candidate) override;
  [[nodiscard]] absl::Status FinishCandidate(int64_t id, const CandidateResult& result) override;
  [[nodiscard]] absl::Status SetCandidateStatus(int64_t id, CandidateStatus status) override;
  [[nodiscard]] absl::StatusOr<Candidate> GetCandidate(int64_t id) override;
  [[nodiscard]] absl::StatusOr<std::vector<Candidate>> ListCandidates(
      const ListOptions& options) override;
  [[nodiscard]] absl::StatusOr<int64_t> CountCandidates() override;
  [[nodiscard]] absl::StatusOr<std::vector<StageRecord>> GetStages(int64_t id) override;
  [[nodiscard]] absl::Status AddEvent(const std::string& kind,
                                      const std::string& data_json) override;
  [[nodiscard]] absl::StatusOr<std::vector<Event>> ListEvents(int limit) override;
  [[nodiscard]] absl::Status SetRunState(const std::string& state_json) override;
  [[nodiscard]] absl::StatusOr<std::optional<std::string>> GetRunState() override;
  [[nodiscard]] absl::StatusOr<int64_t> AddLlmCall(const LlmCall& call) override;
  [[nodiscard]] absl::StatusOr<LlmCall> GetLlmCall(int64_t id) override;
  [[nodiscard]] absl::StatusOr<std::optional<std::string>> FindLlmResponse(
      const std::string& model, const std::string& prompt_hash) override;
  [[nodiscard]] absl::StatusOr<LlmTotals> GetLlmTotals() override;
  [[nodiscard]] absl::StatusOr<std::vector<LlmCall>> ListLlmCalls(int limit) override;

 private:
  SqliteArchive(std::unique_ptr<internal::Db> db, std::filesystem::path path, bool read_only,
                const Clock* clock);
  [[nodiscard]] absl::Status CheckWritable() const;
  absl::Time Now() const { return clock_->Now(); }

  const std::filesystem::path path_;
  const bool read_only_;
  const SystemClock system_clock_;
  const Clock* const clock_;
  absl::Mutex mu_;
  const std::unique_ptr<internal::Db> db_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cambrian::archive

#endif  // CAMBRIAN_ARCHIVE_SQLITE_ARCHIVE_H_
