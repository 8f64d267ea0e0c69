#include "orchestrator/selection.h"

namespace cambrian::orchestrator {

int64_t TournamentSelect(const std::vector<Scored>& pool, Goal goal, int k, Rng& rng) {
  const Scored* best = nullptr;
  for (int i = 0; i < std::max(1, k); ++i) {
    const Scored& entry = pool[rng.UniformInt(0, static_cast<int64_t>(pool.size()) - 1)];
    if (best == nullptr || Better(goal, entry.fitness, best->fitness)) best = &entry;
  }
  return best->id;
}

}  // namespace cambrian::orchestrator
