#include "orchestrator/evaluation_pool.h"

#include "absl/strings/str_cat.h"

namespace cambrian::orchestrator {

EvaluationPool::EvaluationPool(const evaluator::Executor& evaluator, int workers, GpuSlots gpus)
    : evaluator_(evaluator), gpus_(gpus) {
  for (int i = 0; i < std::max(1, workers); ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

EvaluationPool::~EvaluationPool() {
  CancelAll();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    shutting_down_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

int EvaluationPool::in_flight() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return in_flight_;
}

void EvaluationPool::Submit(EvaluationRequest request) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(request));
    ++in_flight_;
  }
  work_ready_.notify_one();
}

std::optional<EvaluationDone> EvaluationPool::Wait(absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  done_ready_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [&] { return !done_.empty(); });
  if (done_.empty()) return std::nullopt;
  EvaluationDone done = std::move(done_.front());
  done_.pop_front();
  --in_flight_;
  return done;
}

void EvaluationPool::CancelAll() { cancel_.store(true); }

void EvaluationPool::WorkerLoop() {
  while (true) {
    EvaluationRequest request;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_ready_.wait(lock, [&] { return shutting_down_ || !queue_.empty(); });
      if (queue_.empty()) return;
      request = std::move(queue_.front());
      queue_.pop_front();
    }
    EvaluationDone done = Evaluate(std::move(request));
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_.push_back(std::move(done));
    }
    done_ready_.notify_all();
  }
}

EvaluationDone EvaluationPool::Evaluate(EvaluationRequest request) {
  std::string job = request.job.empty() ? JobName(request.candidate_id) : std::move(request.job);
  EvaluationDone done{request.candidate_id, request.seed, job, absl::UnknownError("")};
  // Jobs of a task without GPUs see none (CUDA_VISIBLE_DEVICES empty).
  std::vector<int> visible;
  std::optional<sandbox::GpuAllocator::Lease> lease;
  if (gpus_.allocator != nullptr && gpus_.per_job > 0) {
    absl::StatusOr<sandbox::GpuAllocator::Lease> taken =
        gpus_.allocator->Acquire(gpus_.per_job, &cancel_);
    if (taken.ok()) {
      lease = *std::move(taken);
      visible = lease->gpus();
    } else if (!absl::IsCancelled(taken.status())) {
      done.evaluation = taken.status();
      return done;
    }
  }
  // A cancelled pool still runs the evaluator: the sandbox sees the flag
  // at once and reports kKilled, so the candidate is recorded as such.
  done.evaluation = evaluator_.Evaluate(request.program, job, request.seed, &cancel_, visible);
  return done;
}

}  // namespace cambrian::orchestrator
