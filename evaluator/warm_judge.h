// Warm judges (StageSpec::warm, docs/tasks.md "Warm judges"): a judge-only
// stage's judge started once and kept, so that what it loads (an
// interpreter, its imports, reference data) is loaded once, not per
// evaluation. Each process is a sandbox job of its own, like a one-shot
// judge, that reads the candidates' job directories and answers one request
// at a time on descriptor $CAMBRIAN_WARM_FD (a SOCK_SEQPACKET socket): the
// request a JSON object {"job_dir", "candidate", "seed", "stage"}, the answer
// the report a one-shot judge would write to metrics.json. Internal to the
// evaluator module.
#ifndef CAMBRIAN_EVALUATOR_WARM_JUDGE_H_
#define CAMBRIAN_EVALUATOR_WARM_JUDGE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sandbox/sandbox.h"

namespace cambrian::evaluator {

struct WarmRequest {
  std::string job_dir;
  std::string candidate;
  uint64_t seed = 0;
  std::string stage;
  // A stage with a worker: the judge's end of the socket to this
  // evaluation's fresh worker, and the worker's CPU counter (-1: none),
  // passed with the request (SCM_RIGHTS); the request then says
  // "worker": true and the counter's "cpu_format".
  int worker_fd = -1;
  int cpu_fd = -1;
  std::string cpu_format;
};

struct WarmReply {
  // The judge's side as a one-shot judge's result would say it: kOk with a
  // report, or why there is none (kTimeout, kKilled, kRuntimeError with the
  // process's exit, detail and output when it died twice).
  sandbox::JobResult judge;
  std::string report;  // the answer: metrics.json's text
};

class WarmJudges {
 public:
  // `make_spec(n)` builds the n-th process's job (its own scratch work_dir);
  // this class adds the socket (inherit_fds), cancel and on_start. `timeout`
  // bounds one answer.
  WarmJudges(sandbox::Sandbox& sandbox,
             std::function<absl::StatusOr<sandbox::JobSpec>(int)> make_spec,
             absl::Duration timeout);
  ~WarmJudges();  // stops every process
  WarmJudges(const WarmJudges&) = delete;
  WarmJudges& operator=(const WarmJudges&) = delete;

  // Judges one candidate on an idle process (a new one if none is idle).
  // A process that dies mid-request is replaced and the request retried
  // once. Past `timeout` the process is stopped (kTimeout); when `cancel`
  // is set, too (kKilled). Errors: the process could not be started.
  absl::StatusOr<WarmReply> Judge(const WarmRequest& request, const std::atomic<bool>* cancel);

  // Stops every process (the next request starts fresh ones): after the
  // trusted files changed under them.
  void Reset();
  // Processes started so far (for tests and logs).
  int started() const { return started_.load(); }

 private:
  struct Process;
  absl::StatusOr<Process*> Acquire();
  void Release(Process* process, bool keep);
  // One attempt: sends `request` and waits for the answer. nullopt: the
  // process died before answering (it is gone; retry).
  std::optional<WarmReply> Ask(Process& process, const std::string& request,
                               const std::vector<int>& fds, const std::atomic<bool>* cancel);
  static void Stop(Process& process);

  sandbox::Sandbox& sandbox_;
  std::function<absl::StatusOr<sandbox::JobSpec>(int)> make_spec_;
  absl::Duration timeout_;
  std::mutex mutex_;
  std::list<std::unique_ptr<Process>> idle_;
  std::atomic<int> started_{0};
};

}  // namespace cambrian::evaluator

#endif  // CAMBRIAN_EVALUATOR_WARM_JUDGE_H_
