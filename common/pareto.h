// Comparisons of scored candidates that respect the task's noise, over one
// fitness or several objectives: dominance, Pareto fronts (non-dominated
// sorting) and NSGA-II crowding distance (Deb et al., 2002). Pure functions.
//
// `a` dominates `b` when it is worse by more than the noise on no axis and
// better by more than the noise on at least one. Differences within the
// noise are ties, so two candidates that differ only by noise never
// dominate each other. With one axis, dominance is "better beyond noise".
#ifndef CAMBRIAN_COMMON_PARETO_H_
#define CAMBRIAN_COMMON_PARETO_H_

#include <cstddef>
#include <vector>

#include "common/task.h"

namespace cambrian {

struct Axis {
  Goal goal = Goal::kMaximize;
  Noise noise;
};

// The task's objectives as axes, in order; a single-fitness task has one
// axis, its goal and noise.
std::vector<Axis> AxesOf(const Task& task);

using Point = std::vector<double>;  // one value per axis

// `point` made comparable on `axes`: one value per axis (missing ones
// added), and a missing or NaN value the worst possible (-inf when
// maximising, +inf when minimising), so that it dominates nothing.
Point Comparable(const std::vector<Axis>& axes, Point point);

bool Dominates(const std::vector<Axis>& axes, const Point& a, const Point& b);

// True if `a` and `b` are within the noise of each other on every axis.
bool TiesEverywhere(const std::vector<Axis>& axes, const Point& a, const Point& b);

// True if `point` would improve the front `points`: none of them dominates
// it or ties it on every axis. With one axis: better beyond the noise than
// the best of them.
bool ImprovesFront(const std::vector<Axis>& axes, const std::vector<Point>& points,
                   const Point& point);

// The indices of the points no other point dominates, in index order.
// Noise makes dominance intransitive: should a cycle leave every point
// dominated, the front is the points with the fewest dominators.
std::vector<size_t> FrontOf(const std::vector<Axis>& axes, const std::vector<Point>& points);

// The Pareto rank of every point: 0 for the front, 1 for the front of what
// is left without it, and so on.
std::vector<int> ParetoRanks(const std::vector<Axis>& axes, const std::vector<Point>& points);

// NSGA-II crowding distance of each of `members` (indices into `points`)
// among themselves: the sum over axes of the gap between its two
// neighbours, normalised by the axis's range; the two ends of an axis get
// infinity. Larger: a less crowded part of the front. An axis with an
// infinite value in it only marks its ends.
std::vector<double> CrowdingDistances(const std::vector<Point>& points,
                                      const std::vector<size_t>& members);

// Ranks and crowding distances of all points (crowding within each rank).
struct Standing {
  std::vector<int> rank;
  std::vector<double> crowding;

  // NSGA-II's crowded comparison: a lower rank, or the same rank and a
  // larger crowding distance.
  bool Better(size_t a, size_t b) const {
    if (rank[a] != rank[b]) return rank[a] < rank[b];
    return crowding[a] > crowding[b];
  }
};
Standing StandingOf(const std::vector<Axis>& axes, const std::vector<Point>& points);

}  // namespace cambrian

#endif  // CAMBRIAN_COMMON_PARETO_H_
