#include "orchestrator/review_front.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace cambrian::orchestrator {
namespace {

std::string GoalName(Goal goal) { return goal == Goal::kMaximize ? "maximize" : "minimize"; }

std::string Value(double value) {
  return std::isnan(value) ? std::string("-") : absl::StrFormat("%.6g", value);
}

}  // namespace

Point ObjectivesOf(const Task& task, const archive::Candidate& candidate) {
  Point point;
  for (const ObjectiveSpec& objective : task.objectives) {
    auto it = candidate.objectives.find(objective.name);
    point.push_back(it == candidate.objectives.end() ? std::nan("") : it->second);
  }
  return point;
}

std::set<int64_t> RunFront(const Task& task, const std::vector<archive::Candidate>& scored) {
  if (!MultiObjective(task)) return {};
  std::vector<Point> points;
  std::vector<int64_t> ids;
  for (const archive::Candidate& c : scored) {
    if (!c.fitness) continue;
    points.push_back(Comparable(AxesOf(task), ObjectivesOf(task, c)));
    ids.push_back(c.id);
  }
  std::set<int64_t> front;
  for (size_t i : FrontOf(AxesOf(task), points)) front.insert(ids[i]);
  return front;
}

std::optional<int64_t> DominatedBy(const Task& task, const archive::Candidate& candidate,
                                   const std::vector<archive::Candidate>& scored) {
  if (!MultiObjective(task) || !candidate.fitness) return std::nullopt;
  const std::vector<Axis> axes = AxesOf(task);
  const Point point = Comparable(axes, ObjectivesOf(task, candidate));
  for (const archive::Candidate& other : scored) {
    if (other.fitness && Dominates(axes, Comparable(axes, ObjectivesOf(task, other)), point)) {
      return other.id;
    }
  }
  return std::nullopt;
}

std::string FormatObjectives(const Task& task, const archive::Candidate& candidate) {
  std::vector<std::string> parts;
  const Point point = ObjectivesOf(task, candidate);
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

std::string FormatFront(const Task& task, std::vector<archive::Candidate> front) {
  std::sort(front.begin(), front.end(),
            [&](const archive::Candidate& a, const archive::Candidate& b) {
              if (*a.fitness != *b.fitness) return Better(task.goal, *a.fitness, *b.fitness);
              return a.id < b.id;
            });
  std::string out = absl::StrFormat("%-6s", "id");
  for (const ObjectiveSpec& objective : task.objectives) {
    absl::StrAppend(
        &out,
        absl::StrFormat(" %-14s", absl::StrCat(objective.name,
                                               objective.goal == Goal::kMaximize ? " ^" : " v")));
  }
  absl::StrAppend(&out, " mutator   change\n");
  for (const archive::Candidate& c : front) {
    absl::StrAppend(&out, absl::StrFormat("%-6s", absl::StrCat("#", c.id)));
    for (double value : ObjectivesOf(task, c)) {
      absl::StrAppend(&out, absl::StrFormat(" %-14s", Value(value)));
    }
    std::string change =
        c.description.size() > 60 ? c.description.substr(0, 57) + "..." : c.description;
    std::replace(change.begin(), change.end(), '\n', ' ');
    absl::StrAppend(&out, absl::StrFormat(" %-9s %s\n", c.mutator.substr(0, 9), change));
  }
  if (front.empty()) absl::StrAppend(&out, "(no candidate has objectives yet)\n");
  return out;
}

}  // namespace cambrian::orchestrator
