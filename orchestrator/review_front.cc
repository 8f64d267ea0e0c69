#include "orchestrator/review_front.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "orchestrator/population.h"

namespace cambrian::orchestrator {
namespace {

std::string GoalName(Goal goal) { return goal == Goal::kMaximize ? "maximize" : "minimize"; }

std::string Value(double value) {
  return std::isnan(value) ? std::string("-") : absl::StrFormat("%.6g", value);
}

}  // namespace

std::set<int64_t> RunFront(const Task& task, const std::vector<archive::Candidate>& scored) {
  if (!MultiObjective(task)) return {};
  const std::vector<Axis> axes = AxesOf(task);
  std::vector<Point> points;
  std::vector<int64_t> ids;
  for (const archive::Candidate& c : scored) {
    if (!c.fitness) continue;
    points.push_back(Comparable(axes, ObjectivePoint(task, c.objectives)));
    ids.push_back(c.id);
  }
  std::set<int64_t> front;
  for (size_t i : FrontOf(axes, points)) front.insert(ids[i]);
  return front;
}

std::optional<int64_t> DominatedBy(const Task& task, const archive::Candidate& candidate,
                                   const std::vector<archive::Candidate>& scored) {
  if (!MultiObjective(task) || !candidate.fitness) return std::nullopt;
  const std::vector<Axis> axes = AxesOf(task);
  const Point point = Comparable(axes, ObjectivePoint(task, candidate.objectives));
  for (const archive::Candidate& other : scored) {
    if (other.fitness &&
        Dominates(axes, Comparable(axes, ObjectivePoint(task, other.objectives)), point)) {
      return other.id;
    }
  }
  return std::nullopt;
}

std::string FormatObjectives(const Task& task, const archive::Candidate& candidate) {
  std::vector<std::string> parts;
  const Point point = ObjectivePoint(task, candidate.objectives);
  for (size_t i = 0; i < task.objectives.size(); ++i) {
    parts.push_back(absl::StrCat(task.objectives[i].name, " ", Value(point[i]), " (",
                                 GoalName(task.objectives[i].goal), ")"));
  }
  return absl::StrJoin(parts, ", ");
}

LeaderboardFormat TaskLeaderboardFormat(const Task& task, std::set<int64_t> front) {
  LeaderboardFormat format{.noise = task.noise};
  if (!MultiObjective(task)) return format;
  for (const ObjectiveSpec& objective : task.objectives)
    format.objectives.push_back(objective.name);
  format.front = std::move(front);
  return format;
}

}  // namespace cambrian::orchestrator
