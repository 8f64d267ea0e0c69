// The population of an evolving run: K islands, each a MAP-Elites grid over
// the task's features plus a bounded list of members, and one elite archive
// across the run. Pure logic (no I/O, no clock): every random choice comes
// from the Rng the caller passes, so a run with a fixed seed repeats itself.
//
// Comparisons respect the task's noise (common/pareto.h): a candidate
// replaces a cell's elite or an island's best only when it is better beyond
// the noise; ties keep the older one. With several objectives each island
// and the elite archive keep a Pareto front: a cell's elite is replaced
// only by a candidate that dominates it, tournaments use NSGA-II's crowded
// comparison (Pareto rank, then crowding distance), trimming drops the
// worst-ranked, most crowded member, the elite archive is the run's front
// (most crowded dropped beyond elite_size), and migration sends the island's
// front members round in turn.
//
// Parent selection for a child of island i (see docs/search.md):
//   exploit  tournament among island i's grid elites (the best of each cell)
//   explore  uniformly among island i's members (any fitness, any cell)
//   random   uniformly among every scored candidate of the run
// Every `migration_interval` evaluations each island's best is copied into
// the next island (a ring); an island whose best has not improved for
// `reseed_after` of its own evaluations is emptied and reseeded with the best
// of every other island.
#ifndef CAMBRIAN_ORCHESTRATOR_POPULATION_H_
#define CAMBRIAN_ORCHESTRATOR_POPULATION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/metrics.h"
#include "common/pareto.h"
#include "common/rng.h"
#include "common/task.h"

namespace cambrian::orchestrator {

struct PopulationConfig {
  int islands = 3;
  int island_size = 64;  // members kept per island (grid elites are never dropped)
  int elite_size = 16;   // the run-wide elite archive
  double exploit_rate = 0.7;
  double explore_rate = 0.2;  // the rest of the draws (1 - exploit - explore) are random
  int tournament_size = 3;
  int migration_interval = 25;  // evaluations between migrations; 0 = never
  int reseed_after = 100;       // an island's evaluations without improvement; 0 = never
};

struct Scored {
  int64_t id = 0;
  double fitness = 0;
  Point objectives;  // a multi-objective task's, in task order; empty otherwise
};

struct Member {
  int64_t id = 0;
  double fitness = 0;
  std::vector<int> cell;  // one bin per task feature
  Point objectives;       // as in Scored
};

// A multi-objective task's objectives in task order (NaN for a missing one),
// or empty for a single-fitness task.
Point ObjectivePoint(const Task& task, const Metrics& objectives);

struct IslandView {
  std::optional<Member> best;
  int members = 0;
  int cells = 0;  // occupied grid cells
  int64_t stale = 0;
  int reseeds = 0;
};

// InvalidArgument naming the setting if `config` is out of range.
[[nodiscard]] absl::Status CheckPopulationConfig(const PopulationConfig& config);

class Population {
 public:
  // One axis: a single fitness (its goal and noise); several: objectives.
  Population(PopulationConfig config, std::vector<Axis> axes, std::vector<FeatureSpec> features);
  Population(PopulationConfig config, Goal goal, std::vector<FeatureSpec> features)
      : Population(config, std::vector<Axis>{{goal, {}}}, std::move(features)) {}

  // The island the next child belongs to (round robin; advances).
  int NextIsland();

  // Records a finished evaluation of a child of `island` (a scored one when
  // `fitness` is set): places it in the island's grid and members and in the
  // elite archive, then migrates or reseeds when due. Returns one line per
  // migration or reseed that happened, for the log.
  std::vector<std::string> Add(int64_t id, int island, std::optional<double> fitness,
                               const Metrics& metrics, Point objectives = {});

  // A parent for a child of `island`, or nullopt while nothing is scored.
  std::optional<int64_t> SelectParent(int island, Rng& rng) const;
  // Up to `n` other programs to show an LLM next to `parent`: the island's
  // best, then elites of other cells and islands, distinct.
  std::vector<int64_t> Inspirations(int island, int64_t parent, int n, Rng& rng) const;

  std::optional<Member> Best() const;
  const std::vector<Member>& elites() const { return elites_; }
  std::vector<IslandView> Islands() const;
  int island_count() const { return static_cast<int>(islands_.size()); }
  int64_t migrations() const { return migrations_; }

  // The grid cell of a candidate with these metrics (a missing metric falls
  // in bin 0).
  std::vector<int> CellOf(const Metrics& metrics) const;

  // The state as the text of a JSON object (islands, elites, counters; not
  // the list of every scored candidate, which the archive holds): the run
  // state's codec, so JSON types stay out of this interface.
  std::string ToJson() const;
  // Restores what ToJson wrote, plus every scored candidate of the run.
  // DataLoss on a damaged state or one of another island count.
  [[nodiscard]] absl::Status Restore(std::string_view state, std::vector<Member> scored);

 private:
  struct Island {
    std::vector<Member> members;              // scored children (and migrants)
    std::map<std::vector<int>, Member> grid;  // cell -> its best member
    std::optional<Member> best;
    int64_t stale = 0;  // evaluations of this island since its best improved
    int reseeds = 0;
  };

  bool multi() const { return axes_.size() > 1; }
  Point PointOf(const Member& member) const;
  // `a` dominates `b`, or they tie and `a` is older.
  bool BetterMember(const Member& a, const Member& b) const;
  // The better headline (the fitness), then the older.
  bool BetterHeadline(const Member& a, const Member& b) const;
  // Returns true if `member` improved the island (population_front.cc).
  bool Place(Island& island, const Member& member);
  void Trim(Island& island);
  void TrimFront(Island& island);
  void AddElite(const Member& member);
  void AddFrontElite(const Member& member);
  // The member an island sends on migration or reseeding.
  std::optional<Member> MigrantOf(const Island& island) const;
  const Member* Tournament(const std::vector<const Member*>& elites, Rng& rng) const;
  std::vector<std::string> Migrate();
  std::vector<std::string> Reseed(int index);

  PopulationConfig config_;
  std::vector<Axis> axes_;
  std::vector<FeatureSpec> features_;
  std::vector<Island> islands_;
  std::vector<Member> elites_;  // best first
  std::vector<Member> scored_;  // every scored candidate, for random picks
  int next_island_ = 0;
  int64_t since_migration_ = 0;
  int64_t migrations_ = 0;
};

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_POPULATION_H_
