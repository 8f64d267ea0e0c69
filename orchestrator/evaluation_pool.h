// A fixed number of worker threads that evaluate candidates, one job slot
// each. The controller submits work and collects completions; only the
// controller thread touches the archive.
#ifndef CAMBRIAN_ORCHESTRATOR_EVALUATION_POOL_H_
#define CAMBRIAN_ORCHESTRATOR_EVALUATION_POOL_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/program.h"
#include "evaluator/evaluator.h"
#include "sandbox/gpu.h"

namespace cambrian::orchestrator {

struct EvaluationRequest {
  int64_t candidate_id = 0;
  Program program;
  uint64_t seed = 0;
  std::string job;  // the job directory's name; "" = "c<candidate_id>"
};

// A candidate's job name when the request names none: "c<id>".
inline std::string JobName(int64_t candidate_id) { return "c" + std::to_string(candidate_id); }

struct EvaluationDone {
  int64_t candidate_id = 0;
  uint64_t seed = 0;
  std::string job;
  absl::StatusOr<evaluator::Evaluation> evaluation;
};

// GPU slots: with an allocator, each evaluation first takes `per_job` GPUs
// (waiting while they are all held) and gives them back when it ends; the
// job sees exactly those (CUDA_VISIBLE_DEVICES and, under bubblewrap, their
// device files). Without one, or with per_job 0, jobs see no GPU.
struct GpuSlots {
  sandbox::GpuAllocator* allocator = nullptr;  // outlives the pool
  int per_job = 0;
};

// Thread-safe. The executor (local or a cluster) must outlive the pool; the destructor cancels
// running jobs and joins the workers.
class EvaluationPool {
 public:
  EvaluationPool(const evaluator::Executor& evaluator, int workers, GpuSlots gpus = {});
  ~EvaluationPool();
  EvaluationPool(const EvaluationPool&) = delete;
  EvaluationPool& operator=(const EvaluationPool&) = delete;

  int workers() const { return static_cast<int>(threads_.size()); }
  // Requests submitted and not yet collected with Wait().
  int in_flight() const;
  // Queues a request; a free worker starts it at once.
  void Submit(EvaluationRequest request);
  // The next completion, or nullopt if none arrived within `timeout`.
  std::optional<EvaluationDone> Wait(absl::Duration timeout);
  // Kills every running job (its outcome becomes kKilled); queued requests
  // still start but end as kKilled before their first stage. Every request
  // completes through Wait(), so nothing goes unrecorded.
  void CancelAll();

 private:
  void WorkerLoop();
  EvaluationDone Evaluate(EvaluationRequest request);

  const evaluator::Executor& evaluator_;
  const GpuSlots gpus_;
  mutable std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable done_ready_;
  std::deque<EvaluationRequest> queue_;
  std::deque<EvaluationDone> done_;
  int in_flight_ = 0;
  bool shutting_down_ = false;
  std::atomic<bool> cancel_{false};
  std::vector<std::thread> threads_;
};

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_EVALUATION_POOL_H_
