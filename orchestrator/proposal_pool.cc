#include "orchestrator/proposal_pool.h"

#include "common/rng.h"

namespace cambrian::orchestrator {

absl::StatusOr<mutators::Proposal> RunProposalJob(ProposalJob& job) {
  Rng rng(job.rng_seed);
  mutators::MutationContext context;
  context.parent = &job.parent;
  context.second_parent = job.second_parent ? &*job.second_parent : nullptr;
  context.editable = job.editable;
  context.rng = &rng;
  context.task = job.task;
  context.parent_info = job.parent_info;
  context.parent_info.program = &job.parent;
  context.inspirations = job.inspirations;
  for (size_t i = 0; i < context.inspirations.size(); ++i) {
    context.inspirations[i].program = &job.inspiration_programs[i];
  }
  return job.mutator->Propose(context);
}

void EmbedProposal(mutators::Embedder& embedder, ProposalDone& done) {
  const ProposalJob& job = *done.job;
  absl::StatusOr<std::vector<float>> parent =
      embedder.Embed(EditableText(job.parent, job.editable));
  if (!parent.ok()) {
    done.embedding_error = parent.status();
    return;
  }
  absl::StatusOr<std::vector<float>> child =
      embedder.Embed(EditableText(done.proposal->program, job.editable));
  if (!child.ok()) {
    done.embedding_error = child.status();
    return;
  }
  done.embeddings = ProposalEmbeddings{*std::move(parent), *std::move(child)};
}

ProposalPool::ProposalPool(int threads, mutators::Embedder* embedder) : embedder_(embedder) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

ProposalPool::~ProposalPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    shutting_down_ = true;
    for (const auto& job : queue_) out_.erase(out_.find(job->sent));
    queue_.clear();  // not started: nothing to wait for
  }
  work_ready_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

int ProposalPool::in_flight() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return in_flight_;
}

ProposalPool::Activity ProposalPool::activity() const {
  std::lock_guard<std::mutex> lock(mutex_);
  Activity activity;
  activity.out = static_cast<int>(out_.size());
  if (!out_.empty()) activity.oldest = *out_.begin();
  return activity;
}

void ProposalPool::Submit(std::unique_ptr<ProposalJob> job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    out_.insert(job->sent);
    queue_.push_back(std::move(job));
    ++in_flight_;
  }
  work_ready_.notify_one();
}

std::optional<ProposalDone> ProposalPool::TryTake() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (done_.empty()) return std::nullopt;
  ProposalDone done = std::move(done_.front());
  done_.pop_front();
  --in_flight_;
  return done;
}

void ProposalPool::WorkerLoop() {
  while (true) {
    std::unique_ptr<ProposalJob> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_ready_.wait(lock, [&] { return shutting_down_ || !queue_.empty(); });
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    absl::StatusOr<mutators::Proposal> proposal = RunProposalJob(*job);
    ProposalDone done{std::move(job), std::move(proposal), std::nullopt, absl::OkStatus()};
    if (embedder_ != nullptr && done.proposal.ok()) EmbedProposal(*embedder_, done);
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = out_.find(done.job->sent); it != out_.end()) out_.erase(it);
    done_.push_back(std::move(done));
  }
}

}  // namespace cambrian::orchestrator
