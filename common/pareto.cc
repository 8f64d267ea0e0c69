#include "common/pareto.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace cambrian {

Point Comparable(const std::vector<Axis>& axes, Point point) {
  point.resize(axes.size(), std::nan(""));
  for (size_t i = 0; i < axes.size(); ++i) {
    if (std::isnan(point[i])) {
      point[i] = axes[i].goal == Goal::kMaximize ? -std::numeric_limits<double>::infinity()
                                                 : std::numeric_limits<double>::infinity();
    }
  }
  return point;
}

std::vector<Axis> AxesOf(const Task& task) {
  std::vector<Axis> axes;
  for (const ObjectiveSpec& objective : task.objectives) {
    axes.push_back({objective.goal, objective.noise});
  }
  if (axes.empty()) axes.push_back({task.goal, task.noise});
  return axes;
}

bool Dominates(const std::vector<Axis>& axes, const Point& a, const Point& b) {
  bool better_somewhere = false;
  for (size_t i = 0; i < axes.size() && i < a.size() && i < b.size(); ++i) {
    if (BetterBeyondNoise(axes[i].goal, axes[i].noise, b[i], a[i])) return false;
    if (BetterBeyondNoise(axes[i].goal, axes[i].noise, a[i], b[i])) better_somewhere = true;
  }
  return better_somewhere;
}

bool TiesEverywhere(const std::vector<Axis>& axes, const Point& a, const Point& b) {
  for (size_t i = 0; i < axes.size() && i < a.size() && i < b.size(); ++i) {
    if (!WithinNoise(axes[i].noise, a[i], b[i])) return false;
  }
  return true;
}

bool ImprovesFront(const std::vector<Axis>& axes, const std::vector<Point>& points,
                   const Point& point) {
  for (const Point& other : points) {
    if (Dominates(axes, other, point) || TiesEverywhere(axes, other, point)) return false;
  }
  return true;
}

std::vector<size_t> FrontOf(const std::vector<Axis>& axes, const std::vector<Point>& points) {
  std::vector<int> dominators(points.size(), 0);
  for (size_t i = 0; i < points.size(); ++i) {
    for (size_t j = 0; j < points.size(); ++j) {
      if (j != i && Dominates(axes, points[j], points[i])) ++dominators[i];
    }
  }
  std::vector<size_t> front;
  const int fewest = points.empty() ? 0 : *std::min_element(dominators.begin(), dominators.end());
  for (size_t i = 0; i < points.size(); ++i) {
    if (dominators[i] == fewest) front.push_back(i);
  }
  return front;
}

std::vector<int> ParetoRanks(const std::vector<Axis>& axes, const std::vector<Point>& points) {
  std::vector<int> rank(points.size(), -1);
  std::vector<size_t> left(points.size());
  std::iota(left.begin(), left.end(), 0);
  for (int layer = 0; !left.empty(); ++layer) {
    std::vector<size_t> rest;
    for (size_t i : left) {
      bool dominated = false;
      for (size_t j : left) {
        if (j != i && Dominates(axes, points[j], points[i])) {
          dominated = true;
          break;
        }
      }
      if (dominated) {
        rest.push_back(i);
      } else {
        rank[i] = layer;
      }
    }
    // Noise makes dominance intransitive: should a cycle leave no point
    // undominated, the rest share the last rank.
    if (rest.size() == left.size()) {
      for (size_t i : rest) rank[i] = layer;
      break;
    }
    left = std::move(rest);
  }
  return rank;
}

std::vector<double> CrowdingDistances(const std::vector<Point>& points,
                                      const std::vector<size_t>& members) {
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  std::vector<double> distance(members.size(), 0);
  if (members.empty()) return distance;
  const size_t dims = points[members.front()].size();
  std::vector<size_t> order(members.size());
  for (size_t axis = 0; axis < dims; ++axis) {
    std::iota(order.begin(), order.end(), 0);
    auto value = [&](size_t k) { return points[members[k]][axis]; };
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t x, size_t y) { return value(x) < value(y); });
    const double range = value(order.back()) - value(order.front());
    distance[order.front()] = distance[order.back()] = kInfinity;
    if (!(range > 0) || !std::isfinite(range)) continue;
    for (size_t k = 1; k + 1 < order.size(); ++k) {
      distance[order[k]] += (value(order[k + 1]) - value(order[k - 1])) / range;
    }
  }
  return distance;
}

Standing StandingOf(const std::vector<Axis>& axes, const std::vector<Point>& points) {
  Standing standing{ParetoRanks(axes, points), std::vector<double>(points.size(), 0)};
  const int layers =
      standing.rank.empty() ? 0 : *std::max_element(standing.rank.begin(), standing.rank.end()) + 1;
  for (int layer = 0; layer < layers; ++layer) {
    std::vector<size_t> members;
    for (size_t i = 0; i < points.size(); ++i) {
      if (standing.rank[i] == layer) members.push_back(i);
    }
    const std::vector<double> crowding = CrowdingDistances(points, members);
    for (size_t k = 0; k < members.size(); ++k) standing.crowding[members[k]] = crowding[k];
  }
  return standing;
}

}  // namespace cambrian
