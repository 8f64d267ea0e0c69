// Every finished candidate's result as the search uses it (metrics, fitness,
// outcome, feedback, failing output), the scored ones in the order they
// finished, and the run's best: after the archive, the one place a fitness
// is kept. One of the controller's pipeline pieces (record).
#ifndef CAMBRIAN_ORCHESTRATOR_SCOREBOARD_H_
#define CAMBRIAN_ORCHESTRATOR_SCOREBOARD_H_

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "common/task.h"
#include "mutators/mutator.h"
#include "orchestrator/population.h"

namespace cambrian::orchestrator {

class Scoreboard {
 public:
  explicit Scoreboard(Goal goal) : goal_(goal) {}

  // Records candidate `id`'s result (once per candidate). True when its
  // fitness is the run's new best, the first fitness included; ties keep the
  // earlier candidate.
  bool Add(int64_t id, mutators::ScoredProgram result);

  // The recorded result, or nullptr for a candidate not finished.
  const mutators::ScoredProgram* Find(int64_t id) const;
  // The scored candidates in the order they finished.
  const std::vector<Scored>& scored() const { return scored_; }
  std::optional<int64_t> best_id() const { return best_id_; }
  std::optional<double> best_fitness() const { return best_fitness_; }
  int64_t evaluated() const { return static_cast<int64_t>(results_.size()); }
  int64_t failed() const { return evaluated() - static_cast<int64_t>(scored_.size()); }

 private:
  Goal goal_;
  std::map<int64_t, mutators::ScoredProgram> results_;
  std::vector<Scored> scored_;
  std::optional<int64_t> best_id_;
  std::optional<double> best_fitness_;
};

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_SCOREBOARD_H_
