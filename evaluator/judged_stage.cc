#include "evaluator/judged_stage.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace cambrian::evaluator {
namespace {

// Closes a descriptor when it goes out of scope (or earlier, by Close).
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Close(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Runs the worker on its own thread and hands over what on_start saw, or a
// StartedJob with pid 0 when the worker never started.
class WorkerThread {
 public:
  WorkerThread(sandbox::Sandbox& sandbox, sandbox::JobSpec spec) : spec_(std::move(spec)) {
    spec_.cancel = &stop_;
    spec_.on_start = [this](const sandbox::StartedJob& started) { Publish(started); };
    thread_ = std::thread([this, &sandbox] {
      result_ = sandbox.Run(spec_);
      Publish(sandbox::StartedJob{});  // no-op if on_start already published
    });
  }
  ~WorkerThread() { Stop().IgnoreError(); }

  sandbox::StartedJob WaitStarted() { return started_.get_future().get(); }
  // Stops the worker (if it still runs) and waits for its result.
  absl::StatusOr<sandbox::JobResult> Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    return result_;
  }

 private:
  void Publish(const sandbox::StartedJob& started) {
    std::call_once(published_, [&] { started_.set_value(started); });
  }

  sandbox::JobSpec spec_;
  std::atomic<bool> stop_{false};
  std::promise<sandbox::StartedJob> started_;
  std::once_flag published_;
  absl::StatusOr<sandbox::JobResult> result_ = absl::UnknownError("worker did not run");
  std::thread thread_;
};

bool IsCapOutcome(Outcome outcome) {
  return outcome == Outcome::kTimeout || outcome == Outcome::kMemoryLimit ||
         outcome == Outcome::kOutputLimit || outcome == Outcome::kProcessLimit ||
         outcome == Outcome::kDiskLimit;
}

// The last non-empty line of a job's output, for a one-line note.
std::string LastLine(const std::string& text) {
  size_t end = text.find_last_not_of("\n ");
  if (end == std::string::npos) return "";
  size_t start = text.rfind('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  return text.substr(start, std::min<size_t>(end + 1 - start, 300));
}

}  // namespace

absl::StatusOr<JudgedRun> RunWorkerWith(
    sandbox::Sandbox& sandbox, sandbox::JobSpec worker,
    const std::function<absl::StatusOr<sandbox::JobResult>(int fd, int cpu_fd,
                                                           const std::string& cpu_format)>& judge) {
  int pair[2];
  // Close-on-exec, so no other job forked meanwhile holds an end (the worker
  // would never see the judge's end close); the sandbox dups them into place.
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    return absl::ErrnoToStatus(errno, "judged stage: socketpair");
  }
  Fd judge_end(pair[0]), worker_end(pair[1]);
  worker.inherit_fds = {worker_end.get()};
  worker.env["CAMBRIAN_JUDGE_FD"] = "3";
  WorkerThread running(sandbox, std::move(worker));
  const sandbox::StartedJob started = running.WaitStarted();
  worker_end.Close();  // the worker holds its own copy now (or never will)
  if (started.pid == 0) {
    absl::StatusOr<sandbox::JobResult> failed = running.Stop();
    return failed.ok() ? absl::InternalError("judged stage: the worker did not start")
                       : Annotate(failed.status(), "worker");
  }
  Fd cpu(started.cpu_usage_file.empty()
             ? -1
             : open(started.cpu_usage_file.c_str(), O_RDONLY | O_CLOEXEC));
  absl::StatusOr<sandbox::JobResult> judged =
      judge(judge_end.get(), cpu.get(), started.cpu_usage_format);
  judge_end.Close();
  absl::StatusOr<sandbox::JobResult> worked = running.Stop();
  if (!judged.ok()) return Annotate(judged.status(), "judge");
  if (!worked.ok()) return Annotate(worked.status(), "worker");
  return JudgedRun{
      .worker = *std::move(worked), .judge = *std::move(judged), .cpu_accounted = cpu.get() >= 0};
}

absl::StatusOr<JudgedRun> RunJudgedPair(sandbox::Sandbox& sandbox, sandbox::JobSpec worker,
                                        sandbox::JobSpec judge) {
  return RunWorkerWith(sandbox, std::move(worker),
                       [&](int fd, int cpu_fd, const std::string& cpu_format) {
                         judge.inherit_fds = {fd};
                         judge.env["CAMBRIAN_WORKER_FD"] = "3";
                         if (cpu_fd >= 0) {
                           judge.inherit_fds.push_back(cpu_fd);
                           judge.env["CAMBRIAN_WORKER_CPU_FD"] = "4";
                           judge.env["CAMBRIAN_WORKER_CPU_FORMAT"] = cpu_format;
                         }
                         return sandbox.Run(judge);
                       });
}

JudgedRun JudgeOnly(sandbox::JobResult judge) {
  sandbox::JobResult no_worker;
  no_worker.outcome = Outcome::kOk;
  no_worker.exit_code = 0;
  no_worker.detail = "no worker (a judge-only stage)";
  return JudgedRun{.worker = std::move(no_worker), .judge = std::move(judge)};
}

absl::StatusOr<JudgedRun> RunJudgeAlone(sandbox::Sandbox& sandbox, sandbox::JobSpec judge) {
  absl::StatusOr<sandbox::JobResult> judged = sandbox.Run(judge);
  if (!judged.ok()) return Annotate(judged.status(), "judge");
  return JudgeOnly(*std::move(judged));
}

Outcome JudgedOutcome(const JudgedRun& run, std::string* note) {
  if (IsCapOutcome(run.worker.outcome)) {
    *note = absl::StrCat("worker: ", run.worker.detail);
    return run.worker.outcome;
  }
  if (run.judge.outcome == Outcome::kOk) return Outcome::kOk;
  if (run.judge.outcome == Outcome::kKilled) {
    *note = "cancelled";
    return Outcome::kKilled;
  }
  if (run.judge.outcome == Outcome::kTimeout) {
    *note = absl::StrCat("judge: ", run.judge.detail);
    return Outcome::kTimeout;
  }
  // A worker that died on its own first is the likelier cause.
  if (run.worker.outcome == Outcome::kRuntimeError) {
    absl::StrAppend(note, "the worker failed (", run.worker.detail, "), then ");
  }
  absl::StrAppend(note, "the judge failed (", run.judge.detail, ")");
  if (std::string line = LastLine(run.judge.output_tail); !line.empty()) {
    absl::StrAppend(note, ": ", line);
  }
  return Outcome::kRuntimeError;
}

}  // namespace cambrian::evaluator
