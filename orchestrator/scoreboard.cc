#include "orchestrator/scoreboard.h"

#include <utility>

namespace cambrian::orchestrator {

bool Scoreboard::Add(int64_t id, mutators::ScoredProgram result) {
  result.id = id;
  const std::optional<double> fitness = result.fitness;
  results_[id] = std::move(result);
  if (!fitness) return false;
  scored_.push_back({id, *fitness});
  if (best_fitness_ && !Better(goal_, *fitness, *best_fitness_)) return false;
  best_fitness_ = fitness;
  best_id_ = id;
  return true;
}

const mutators::ScoredProgram* Scoreboard::Find(int64_t id) const {
  auto it = results_.find(id);
  return it == results_.end() ? nullptr : &it->second;
}

}  // namespace cambrian::orchestrator
