#include "orchestrator/scoreboard.h"

#include <algorithm>
#include <utility>

namespace cambrian::orchestrator {

bool Scoreboard::Add(int64_t id, mutators::ScoredProgram result, Point objectives) {
  result.id = id;
  const std::optional<double> fitness = result.fitness;
  results_[id] = std::move(result);
  if (!fitness) return false;
  const bool multi = axes_.size() > 1;
  Point point = multi ? Comparable(axes_, std::move(objectives)) : Point{*fitness};
  scored_.push_back({id, *fitness, multi ? point : Point{}});  // comparable, never NaN
  std::vector<Point> front;
  for (const auto& [member, at] : front_) front.push_back(at);
  const bool progress = ImprovesFront(axes_, front, point);
  // Only progress joins: a tie of a member would let small steps within the
  // noise creep past it.
  if (progress) {
    std::erase_if(front_,
                  [&](const auto& member) { return Dominates(axes_, point, member.second); });
    front_.emplace_back(id, point);
  }
  // One fitness: the best moves only beyond the noise. Several objectives:
  // the headline best is the plain best fitness, and progress is the front's.
  const bool better = !best_fitness_ || Better(axes_[0].goal, *fitness, *best_fitness_);
  if (multi ? better : progress) {
    best_fitness_ = fitness;
    best_id_ = id;
  }
  return progress;
}

std::vector<int64_t> Scoreboard::front() const {
  std::vector<int64_t> ids;
  for (const auto& [id, point] : front_) ids.push_back(id);
  return ids;
}

const mutators::ScoredProgram* Scoreboard::Find(int64_t id) const {
  auto it = results_.find(id);
  return it == results_.end() ? nullptr : &it->second;
}

}  // namespace cambrian::orchestrator
