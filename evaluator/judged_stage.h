// A judged stage (kernels/PROTOCOL.md): the candidate's worker and the task's
// trusted judge, each in a sandbox job of its own, connected by a socket pair
// that only they hold; the judge also gets a read-only descriptor of the
// worker's cgroup CPU counter. Internal to the evaluator module.
#ifndef CAMBRIAN_EVALUATOR_JUDGED_STAGE_H_
#define CAMBRIAN_EVALUATOR_JUDGED_STAGE_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "common/outcome.h"
#include "sandbox/sandbox.h"

namespace cambrian::evaluator {

struct JudgedRun {
  sandbox::JobResult worker;
  sandbox::JobResult judge;
  bool cpu_accounted = false;  // the judge got the worker's CPU counter
};

// Runs `worker` and, once it has started, `judge`; when the judge ends the
// worker is stopped (kKilled: that is how every judged worker ends unless it
// exits first). Adds to the specs: the socket as descriptor 3 of each
// (CAMBRIAN_JUDGE_FD / CAMBRIAN_WORKER_FD), the CPU counter as the judge's
// descriptor 4 (CAMBRIAN_WORKER_CPU_FD / _FORMAT) where the sandbox has one.
// `worker.cancel` is replaced (the judge's cancel stops both). Errors: the
// socket cannot be made, or the sandbox fails to run either job.
[[nodiscard]] absl::StatusOr<JudgedRun> RunJudgedPair(sandbox::Sandbox& sandbox,
                                                      sandbox::JobSpec worker,
                                                      sandbox::JobSpec judge);

// Runs `worker` and, once it has started, `judge(fd, cpu_fd, cpu_format)`
// with the judge's end of the socket and the worker's CPU counter (-1:
// none); the worker is stopped when `judge` returns. A warm judge answers
// this way (warm_judge.h). Errors as RunJudgedPair's, and `judge`'s.
[[nodiscard]] absl::StatusOr<JudgedRun> RunWorkerWith(
    sandbox::Sandbox& sandbox, sandbox::JobSpec worker,
    const std::function<absl::StatusOr<sandbox::JobResult>(int fd, int cpu_fd,
                                                           const std::string& cpu_format)>& judge);

// A judge-only stage's run from the judge's result (no worker).
JudgedRun JudgeOnly(sandbox::JobResult judge);

// A stage with a judge and no worker (`run` left out): the judge alone, in
// its sandbox, reading what earlier stages left in the job directory. The
// result's worker reads as a clean exit.
[[nodiscard]] absl::StatusOr<JudgedRun> RunJudgeAlone(sandbox::Sandbox& sandbox,
                                                      sandbox::JobSpec judge);

// How a judged stage ended before its report is read: the worker's cap
// outcomes (timeout, memory, processes, disk, output) win, since the judge's
// verdict is then only a symptom; then a judge that did not exit 0 (its
// timeout is kTimeout, anything else kRuntimeError: the judge is the task's
// code, so this points at the task or at a worker it could not handle; the
// note names a worker that had already failed on its own first);
// else kOk, and the judge's report and pass_if decide. `note` says why.
Outcome JudgedOutcome(const JudgedRun& run, std::string* note);

}  // namespace cambrian::evaluator

#endif  // CAMBRIAN_EVALUATOR_JUDGED_STAGE_H_
