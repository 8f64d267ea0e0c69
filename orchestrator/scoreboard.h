// Every finished candidate's result as the search uses it (metrics, fitness,
// outcome, feedback, failing output), the scored ones in the order they
// finished, and the run's best: after the archive, the one place a fitness
// is kept. One of the controller's pipeline pieces (record).
#ifndef CAMBRIAN_ORCHESTRATOR_SCOREBOARD_H_
#define CAMBRIAN_ORCHESTRATOR_SCOREBOARD_H_

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "common/task.h"
#include "mutators/mutator.h"
#include "orchestrator/population.h"

namespace cambrian::orchestrator {

class Scoreboard {
 public:
  // One axis (a fitness: its goal and noise) or a multi-objective task's.
  explicit Scoreboard(std::vector<Axis> axes) : axes_(std::move(axes)) {}
  explicit Scoreboard(Goal goal) : Scoreboard(std::vector<Axis>{{goal, {}}}) {}

  // Records candidate `id`'s result (once per candidate); `objectives` in
  // task order for a multi-objective task. True when it is progress: one
  // fitness, the run's new best by more than the noise (the first fitness
  // included; ties keep the earlier candidate); several objectives, a point
  // that improves the run's Pareto front (common/pareto.h).
  bool Add(int64_t id, mutators::ScoredProgram result, Point objectives = {});

  // The recorded result, or nullptr for a candidate not finished.
  const mutators::ScoredProgram* Find(int64_t id) const;
  // The scored candidates in the order they finished.
  const std::vector<Scored>& scored() const { return scored_; }
  // The best headline (the fitness; with one axis, the last progress).
  std::optional<int64_t> best_id() const { return best_id_; }
  std::optional<double> best_fitness() const { return best_fitness_; }
  int64_t evaluated() const { return static_cast<int64_t>(results_.size()); }
  int64_t failed() const { return evaluated() - static_cast<int64_t>(scored_.size()); }
  // The run's front as progress made it (ids, in the order they joined):
  // each candidate that improved it and that nothing later dominated. Ties
  // of a member do not join (review's front, review_front.h, lists them).
  std::vector<int64_t> front() const;
  const std::vector<Axis>& axes() const { return axes_; }

 private:
  std::vector<Axis> axes_;
  std::vector<std::pair<int64_t, Point>> front_;
  std::map<int64_t, mutators::ScoredProgram> results_;
  std::vector<Scored> scored_;
  std::optional<int64_t> best_id_;
  std::optional<double> best_fitness_;
};

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_SCOREBOARD_H_
