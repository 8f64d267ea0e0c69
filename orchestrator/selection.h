// Parent selection for the first steady-state loop.
#ifndef CAMBRIAN_ORCHESTRATOR_SELECTION_H_
#define CAMBRIAN_ORCHESTRATOR_SELECTION_H_

#include <cstdint>
#include <vector>

#include "common/rng.h"
#include "common/task.h"

namespace cambrian::orchestrator {

struct Scored {
  int64_t id = 0;
  double fitness = 0;
};

// Tournament selection: draws `k` members uniformly (with replacement) and
// returns the id of the fittest under `goal`. `pool` must not be empty.
int64_t TournamentSelect(const std::vector<Scored>& pool, Goal goal, int k, Rng& rng);

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_SELECTION_H_
