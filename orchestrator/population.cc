#include "orchestrator/population.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace cambrian::orchestrator {

absl::Status CheckPopulationConfig(const PopulationConfig& config) {
  auto fail = [](const char* what) { return absl::InvalidArgumentError(what); };
  if (config.islands < 1 || config.islands > 256) return fail("islands must be 1..256");
  if (config.island_size < 1) return fail("island_size must be at least 1");
  if (config.elite_size < 1) return fail("elite_size must be at least 1");
  if (config.tournament_size < 1) return fail("tournament_size must be at least 1");
  if (!(config.exploit_rate >= 0 && config.explore_rate >= 0 &&
        config.exploit_rate + config.explore_rate <= 1)) {
    return fail("exploit_rate and explore_rate must be >= 0 and add up to at most 1");
  }
  if (config.migration_interval < 0) return fail("migration_interval must be >= 0 (0 = never)");
  if (config.reseed_after < 0) return fail("reseed_after must be >= 0 (0 = never)");
  return absl::OkStatus();
}

Point ObjectivePoint(const Task& task, const Metrics& objectives) {
  Point point;
  if (!MultiObjective(task)) return point;
  for (const ObjectiveSpec& objective : task.objectives) {
    auto it = objectives.find(objective.name);
    point.push_back(it == objectives.end() ? std::nan("") : it->second);
  }
  return point;
}

Population::Population(PopulationConfig config, std::vector<Axis> axes,
                       std::vector<FeatureSpec> features)
    : config_(config), axes_(std::move(axes)), features_(std::move(features)) {
  if (axes_.empty()) axes_.push_back({});
  islands_.resize(std::max(1, config_.islands));
}

Point Population::PointOf(const Member& member) const {
  // A member stored before the task had these objectives (or without one
  // of them) compares as the worst on what it lacks.
  return multi() ? Comparable(axes_, member.objectives) : Point{member.fitness};
}

bool Population::BetterMember(const Member& a, const Member& b) const {
  // Differences within the noise are ties, and ties go to the older
  // candidate, so neither noise nor the order of arrival decides.
  if (Dominates(axes_, PointOf(a), PointOf(b))) return true;
  if (Dominates(axes_, PointOf(b), PointOf(a))) return false;
  return a.id < b.id;
}

bool Population::BetterHeadline(const Member& a, const Member& b) const {
  if (a.fitness != b.fitness) return Better(axes_[0].goal, a.fitness, b.fitness);
  return a.id < b.id;
}

int Population::NextIsland() {
  int island = next_island_;
  next_island_ = (next_island_ + 1) % island_count();
  return island;
}

std::vector<int> Population::CellOf(const Metrics& metrics) const {
  std::vector<int> cell;
  for (const FeatureSpec& feature : features_) {
    auto it = metrics.find(feature.name);
    int bin = 0;
    if (it != metrics.end() && std::isfinite(it->second)) {
      double at = (it->second - feature.lo) / (feature.hi - feature.lo) * feature.bins;
      bin = static_cast<int>(std::clamp(std::floor(at), 0.0, feature.bins - 1.0));
    }
    cell.push_back(bin);
  }
  return cell;
}

std::vector<std::string> Population::Add(int64_t id, int island, std::optional<double> fitness,
                                         const Metrics& metrics, Point objectives) {
  Island& home = islands_.at(std::clamp(island, 0, island_count() - 1));
  ++home.stale;
  ++since_migration_;
  if (fitness) {
    Member member{id, *fitness, CellOf(metrics), std::move(objectives)};
    scored_.push_back(member);
    AddElite(member);
    if (Place(home, member)) home.stale = 0;
  }
  std::vector<std::string> log;
  if (config_.migration_interval > 0 && since_migration_ >= config_.migration_interval) {
    since_migration_ = 0;
    log = Migrate();
  }
  for (int i = 0; i < island_count(); ++i) {
    if (config_.reseed_after > 0 && islands_[i].stale >= config_.reseed_after) {
      std::vector<std::string> lines = Reseed(i);
      log.insert(log.end(), lines.begin(), lines.end());
    }
  }
  return log;
}

std::vector<std::string> Population::Migrate() {
  if (island_count() < 2) return {};
  // Take every island's best before placing any, so one migration moves
  // each best exactly one step around the ring.
  std::vector<std::optional<Member>> bests;
  for (const Island& island : islands_) bests.push_back(MigrantOf(island));
  ++migrations_;
  std::vector<std::string> log;
  for (int from = 0; from < island_count(); ++from) {
    if (!bests[from]) continue;
    int to = (from + 1) % island_count();
    if (Place(islands_[to], *bests[from])) islands_[to].stale = 0;
    log.push_back(absl::StrCat("migration ", migrations_, ": #", bests[from]->id, " from island ",
                               from, " to island ", to));
  }
  return log;
}

std::vector<std::string> Population::Reseed(int index) {
  Island fresh;
  fresh.reseeds = islands_[index].reseeds + 1;
  std::vector<std::string> ids;
  for (int i = 0; i < island_count(); ++i) {
    std::optional<Member> migrant = MigrantOf(islands_[i]);
    if (i == index || !migrant) continue;
    Place(fresh, *migrant);
    ids.push_back(absl::StrCat("#", migrant->id));
  }
  if (ids.empty()) {
    islands_[index].stale = 0;  // nothing better to take: keep it as it is
    return {};
  }
  islands_[index] = std::move(fresh);
  return {absl::StrCat("island ", index, " made no progress for ", config_.reseed_after,
                       " evaluations: reseeded with ", absl::StrJoin(ids, ", "))};
}

std::optional<int64_t> Population::SelectParent(int island, Rng& rng) const {
  if (scored_.empty()) return std::nullopt;
  const Island& home = islands_.at(std::clamp(island, 0, island_count() - 1));
  double draw = rng.Uniform();
  if (!home.grid.empty() && draw < config_.exploit_rate) {
    std::vector<const Member*> elites;
    for (const auto& [cell, member] : home.grid) elites.push_back(&member);
    return Tournament(elites, rng)->id;
  }
  if (!home.members.empty() && draw < config_.exploit_rate + config_.explore_rate) {
    return home.members[rng.UniformInt(0, home.members.size() - 1)].id;
  }
  return scored_[rng.UniformInt(0, scored_.size() - 1)].id;
}

std::vector<int64_t> Population::Inspirations(int island, int64_t parent, int n, Rng& rng) const {
  std::vector<int64_t> picks;
  auto add = [&](int64_t id) {
    if (static_cast<int>(picks.size()) < n && id != parent &&
        std::find(picks.begin(), picks.end(), id) == picks.end()) {
      picks.push_back(id);
    }
  };
  const Island& home = islands_.at(std::clamp(island, 0, island_count() - 1));
  if (home.best) add(home.best->id);
  // Diverse programs: elites of other cells of this island, then of others.
  std::vector<int64_t> pool;
  for (const auto& [cell, member] : home.grid) pool.push_back(member.id);
  for (const Member& elite : elites_) pool.push_back(elite.id);
  for (int tries = 0; tries < 4 * n && !pool.empty(); ++tries) {
    add(pool[rng.UniformInt(0, pool.size() - 1)]);
  }
  return picks;
}

std::optional<Member> Population::Best() const {
  if (elites_.empty()) return std::nullopt;
  return elites_.front();
}

std::vector<IslandView> Population::Islands() const {
  std::vector<IslandView> views;
  for (const Island& island : islands_) {
    views.push_back({island.best, static_cast<int>(island.members.size()),
                     static_cast<int>(island.grid.size()), island.stale, island.reseeds});
  }
  return views;
}

}  // namespace cambrian::orchestrator
