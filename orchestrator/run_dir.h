// Where a run keeps its files, and how review commands find a run.
//
//   RUN_DIR/cambrian.db     the archive (SQLite, WAL)
//   RUN_DIR/jobs/           job directories of candidates being evaluated
//   RUN_DIR/replays/        job directories of `cambrian replay`
//   RUN_DIR/setup/          what the task's [trusted] setup built (judges)
//   RUN_DIR/controller.lock held (flock) by the controller while it runs
#ifndef CAMBRIAN_ORCHESTRATOR_RUN_DIR_H_
#define CAMBRIAN_ORCHESTRATOR_RUN_DIR_H_

#include <filesystem>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cambrian::orchestrator {

struct RunPaths {
  std::filesystem::path dir;
  std::filesystem::path db;
  std::filesystem::path jobs;
  std::filesystem::path replays;
  std::filesystem::path lock;
  std::filesystem::path setup;
};

// Paths are made absolute.
RunPaths PathsFor(const std::filesystem::path& run_dir);

// The default parent of run directories, relative to the working directory.
inline constexpr char kDefaultRunsDir[] = "runs";

// `flag` if given; otherwise the run directory under ./runs whose database
// was modified last. NotFound with advice if there is none.
[[nodiscard]] absl::StatusOr<std::filesystem::path> ResolveRunDir(
    const std::optional<std::filesystem::path>& flag);

// An exclusive lock on RUN_DIR/controller.lock, released on destruction.
// FailedPrecondition if another process holds it (a second controller on the
// same run directory). A lock whose recorded controller is dead is waited
// for up to `grace`: a job it forked may hold the file for a moment longer.
// True if a controller holds the run's lock (probed without taking it).
bool ControllerRunning(const RunPaths& paths);

class RunLock {
 public:
  [[nodiscard]] static absl::StatusOr<RunLock> Acquire(const RunPaths& paths,
                                                       absl::Duration grace = absl::Seconds(10));
  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&&) = delete;
  ~RunLock();

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_RUN_DIR_H_
