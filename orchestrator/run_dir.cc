#include "orchestrator/run_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

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

namespace {

// The pid the holder wrote into the lock file, or 0.
pid_t RecordedHolder(int fd) {
  char text[32] = {};
  ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
  if (n <= 0) return 0;
  return static_cast<pid_t>(std::strtol(text, nullptr, 10));
}

bool IsAlive(pid_t pid) { return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM); }

// Takes the flock. While the controller that wrote the file is dead but a
// process it forked still shares the open file (a job between fork and
// exec when the controller was SIGKILLed; it dies with its parent within
// moments), waits up to `grace` instead of refusing.
bool TakeLock(int fd, absl::Duration grace) {
  absl::Time deadline = absl::Now() + grace;
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (IsAlive(RecordedHolder(fd)) || absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

}  // namespace

absl::StatusOr<RunLock> RunLock::Acquire(const RunPaths& paths, absl::Duration grace) {
  int fd = open(paths.lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("cannot open ", paths.lock.string()));
  }
  if (!TakeLock(fd, grace)) {
    close(fd);
    return absl::FailedPreconditionError(absl::StrCat("another cambrian controller is running on ",
                                                      paths.dir.string(), " (", paths.lock.string(),
                                                      " is locked)"));
  }
  std::string pid = absl::StrCat(getpid(), "\n");
  if (ftruncate(fd, 0) == 0) (void)!pwrite(fd, pid.data(), pid.size(), 0);
  return RunLock(fd);
}

RunLock::RunLock(RunLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

RunLock::~RunLock() {
  if (fd_ >= 0) close(fd_);  // closing the descriptor releases the flock
}

bool ControllerRunning(const RunPaths& paths) {
  const int fd = open(paths.lock.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = flock(fd, LOCK_SH | LOCK_NB) != 0;
  close(fd);
  return held;
}

}  // namespace cambrian::orchestrator
