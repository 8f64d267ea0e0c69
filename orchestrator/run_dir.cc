#include "orchestrator/run_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <system_error>

#include "absl/strings/str_cat.h"

namespace cambrian::orchestrator {
namespace fs = std::filesystem;

RunPaths PathsFor(const fs::path& run_dir) {
  // Absolute, because jobs run in their own working directories.
  fs::path dir = fs::absolute(run_dir);
  return RunPaths{
      dir,          dir / "cambrian.db", dir / "jobs", dir / "replays", dir / "controller.lock",
      dir / "setup"};
}

absl::StatusOr<fs::path> ResolveRunDir(const std::optional<fs::path>& flag) {
  if (flag) return *flag;
  std::error_code ec;
  std::optional<fs::path> latest;
  fs::file_time_type latest_time;
  for (const auto& entry : fs::directory_iterator(kDefaultRunsDir, ec)) {
    fs::path db = PathsFor(entry.path()).db;
    if (!fs::exists(db, ec)) continue;
    // The WAL file changes on every commit; the main file only at checkpoints.
    fs::path wal = db;
    wal += "-wal";
    fs::file_time_type time = fs::last_write_time(fs::exists(wal, ec) ? wal : db, ec);
    if (!latest || time > latest_time) {
      latest = entry.path();
      latest_time = time;
    }
  }
  if (!latest) {
    return absl::NotFoundError(
        absl::StrCat("no run directory given and none found under ./", kDefaultRunsDir,
                     "/; pass --run-dir DIR or start one with `cambrian run TASK`"));
  }
  return *latest;
}

absl::StatusOr<RunLock> RunLock::Acquire(const RunPaths& paths) {
  int fd = open(paths.lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("cannot open ", paths.lock.string()));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return absl::FailedPreconditionError(absl::StrCat("another cambrian controller is running on ",
                                                      paths.dir.string(), " (", paths.lock.string(),
                                                      " is locked)"));
  }
  std::string pid = absl::StrCat(getpid(), "\n");
  if (ftruncate(fd, 0) == 0) (void)!write(fd, pid.data(), pid.size());
  return RunLock(fd);
}

RunLock::RunLock(RunLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

RunLock::~RunLock() {
  if (fd_ >= 0) close(fd_);  // closing the descriptor releases the flock
}

}  // namespace cambrian::orchestrator
