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

Population::Population(PopulationConfig config, Goal goal, std::vector<FeatureSpec> features)
    : config_(config), goal_(goal), features_(std::move(features)) {
  islands_.resize(std::max(1, config_.islands));
}

bool Population::Better(double a, double b) const { return cambrian::Better(goal_, a, b); }

bool Population::BetterMember(const Member& a, const Member& b) const {
  // Ties go to the older candidate, so the order of arrival decides nothing.
  if (a.fitness != b.fitness) return Better(a.fitness, b.fitness);
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
                                         const Metrics& metrics) {
  Island& home = islands_.at(std::clamp(island, 0, island_count() - 1));
  ++home.stale;
  ++since_migration_;
  if (fitness) {
    Member member{id, *fitness, CellOf(metrics)};
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

bool Population::Place(Island& island, const Member& member) {
  for (const Member& present : island.members) {
    if (present.id == member.id) return false;  // a migrant that is already here
  }
  island.members.push_back(member);
  auto [cell, inserted] = island.grid.emplace(member.cell, member);
  if (!inserted && BetterMember(member, cell->second)) cell->second = member;
  Trim(island);
  if (island.best && !Better(member.fitness, island.best->fitness)) return false;
  island.best = member;
  return true;
}

void Population::Trim(Island& island) {
  while (static_cast<int>(island.members.size()) > std::max(1, config_.island_size)) {
    // Drop the worst member that is not the elite of its cell.
    auto worst = island.members.end();
    for (auto it = island.members.begin(); it != island.members.end(); ++it) {
      if (island.grid.at(it->cell).id == it->id) continue;
      if (worst == island.members.end() || BetterMember(*worst, *it)) worst = it;
    }
    if (worst == island.members.end()) return;  // only elites left
    island.members.erase(worst);
  }
}

void Population::AddElite(const Member& member) {
  auto at = std::find_if(elites_.begin(), elites_.end(),
                         [&](const Member& elite) { return BetterMember(member, elite); });
  elites_.insert(at, member);
  if (static_cast<int>(elites_.size()) > std::max(1, config_.elite_size)) elites_.pop_back();
}

std::vector<std::string> Population::Migrate() {
  if (island_count() < 2) return {};
  ++migrations_;
  // Take every island's best before placing any, so one migration moves
  // each best exactly one step around the ring.
  std::vector<std::optional<Member>> bests;
  for (const Island& island : islands_) bests.push_back(island.best);
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
    if (i == index || !islands_[i].best) continue;
    Place(fresh, *islands_[i].best);
    ids.push_back(absl::StrCat("#", islands_[i].best->id));
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
    const Member* pick = nullptr;
    for (int i = 0; i < std::max(1, config_.tournament_size); ++i) {
      const Member* drawn = elites[rng.UniformInt(0, elites.size() - 1)];
      if (pick == nullptr || BetterMember(*drawn, *pick)) pick = drawn;
    }
    return pick->id;
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
