// The Slurm executor's workers mode: one Slurm job array of long-lived
// workers (`cambrian worker`, one per array task) that lease evaluations
// from the controller over HTTP with a bearer token (worker_protocol.h).
// Each worker loads the task and runs its setup once, then evaluates lease
// after lease in its node's sandbox, heartbeating while it runs; a lease
// unheard of for 30 s goes back to the queue for another worker.
//
// In RUN/slurm/ (shared with the nodes):
//   workers.token  the token (mode 0600), never on a command line
//   controller     "HOST:PORT" where the controller listens; a worker that
//                  loses the controller reads it again (resume may move it)
//   workers.sh     the array's batch script; workers-ARRAY_TASK.out its output
//
// A killed controller's array keeps running: `resume` finds it by name and
// keeps it, listens on the same port when it can, and a worker that finishes
// an evaluation the old controller leased delivers it to the new one, which
// takes it for the same job and request (LeaseBoard adoption) instead of
// running it again. When no array task is left (time limit, node failure)
// while work waits, a new array is submitted (3 times at most).
#ifndef CAMBRIAN_EVALUATOR_WORKER_EXECUTOR_H_
#define CAMBRIAN_EVALUATOR_WORKER_EXECUTOR_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "evaluator/lease_board.h"
#include "evaluator/slurm_executor.h"

namespace httplib {
class Server;
}

namespace cambrian::evaluator {

struct WorkerOptions {
  int workers = 2;   // array tasks
  std::string host;  // how the nodes reach the controller ("": this host's name)
};

class WorkerExecutor : public Executor {
 public:
  WorkerExecutor(SlurmClient& client, SlurmOptions options, SlurmJobPlan plan,
                 WorkerOptions workers);
  ~WorkerExecutor() override;  // stops the server and cancels the array

  // Writes the token, starts listening, writes the address, and submits
  // the array (or keeps this run's array still queued or running).
  [[nodiscard]] absl::Status Start();

  absl::StatusOr<Evaluation> Evaluate(
      const Program& program, const std::string& job_name, uint64_t seed,
      const std::atomic<bool>* cancel,
      const std::optional<std::vector<int>>& gpus = std::nullopt) const override;
  bool Remote() const override { return true; }
  // Gives the earlier controller's workers a lease's lifetime to hand back
  // what they were evaluating before it is leased again.
  void Resuming(const std::set<std::string>& wanted_jobs) const override;

  int port() const { return port_; }
  const std::string& array_id() const { return array_id_; }

 private:
  void Route();
  absl::Status SubmitArray();
  void Maintain();  // expires leases; replaces an array that is gone

  SlurmClient& client_;
  const SlurmOptions options_;
  const SlurmJobPlan plan_;
  const WorkerOptions workers_;
  SystemClock clock_;
  mutable LeaseBoard board_;
  std::string token_;
  std::unique_ptr<httplib::Server> server_;
  std::thread serving_;
  std::thread maintaining_;
  std::atomic<bool> stopping_{false};
  int port_ = 0;
  std::string array_id_;
  int arrays_ = 0;  // submitted by this controller
};

}  // namespace cambrian::evaluator

#endif  // CAMBRIAN_EVALUATOR_WORKER_EXECUTOR_H_
