#include "orchestrator/mutator_mix.h"

#include <algorithm>

namespace cambrian::orchestrator {

MutatorMix::MutatorMix(std::vector<mutators::Mutator*> mutators, const RunConfig& config)
    : mutators_(std::move(mutators)), config_(config) {}

double MutatorMix::WeightOf(const mutators::Mutator& mutator) const {
  auto it = config_.mutator_weights.find(std::string(mutator.name()));
  return it == config_.mutator_weights.end() ? 1.0 : it->second;
}

mutators::Mutator* MutatorMix::Pick(Rng& rng, size_t scored) const {
  std::vector<mutators::Mutator*> single, crossover;
  for (mutators::Mutator* mutator : mutators_) {
    if (mutator->IsSlow()) continue;  // the LLM's share is the proposer's to keep
    (mutator->NeedsSecondParent() ? crossover : single).push_back(mutator);
  }
  const bool cross = !crossover.empty() && scored >= 2 &&
                     (single.empty() || rng.Bernoulli(config_.crossover_rate));
  const std::vector<mutators::Mutator*>& from = cross ? crossover : single;
  double total = 0;
  for (mutators::Mutator* mutator : from) total += WeightOf(*mutator);
  if (total <= 0) return nullptr;
  double draw = rng.Uniform() * total;
  for (mutators::Mutator* mutator : from) {
    if (WeightOf(*mutator) <= 0) continue;
    draw -= WeightOf(*mutator);
    if (draw < 0) return mutator;
  }
  for (auto it = from.rbegin(); it != from.rend(); ++it) {
    if (WeightOf(**it) > 0) return *it;  // rounding left the draw at the end
  }
  return nullptr;
}

std::vector<mutators::Mutator*> MutatorMix::Slow() const {
  std::vector<mutators::Mutator*> slow;
  for (mutators::Mutator* mutator : mutators_) {
    if (mutator->IsSlow() && WeightOf(*mutator) > 0) slow.push_back(mutator);
  }
  return slow;
}

void RepairCandidates::Note(int64_t id, const std::string& outcome) {
  if (outcome != "build_error" && outcome != "runtime_error" && outcome != "wrong_answer") return;
  recent_.push_back(id);
  if (recent_.size() > kKeep) recent_.pop_front();
}

std::optional<int64_t> RepairCandidates::Draw(Rng& rng, double rate) const {
  if (recent_.empty() || !rng.Bernoulli(rate)) return std::nullopt;
  return recent_[rng.UniformInt(0, static_cast<int64_t>(recent_.size()) - 1)];
}

void ProposalBackoff::Note(bool gave_child, const std::string& why, absl::Time now,
                           bool service_failed) {
  failures_ = gave_child ? 0 : failures_ + 1;
  service_failed_ = !gave_child && service_failed;
  if (failures_ == 0) return;
  last_error_ = why;
  const absl::Duration wait = absl::Milliseconds(250) * (1 << std::min(failures_ - 1, 7));
  next_ = now + std::min(wait, absl::Seconds(30));
}

}  // namespace cambrian::orchestrator
