// The parts of Population that compare members: placing a member in an
// island (its cell, its best, its front), trimming, the elite archive,
// migrants and tournaments, for one fitness or several objectives.
#include <algorithm>
#include <cmath>

#include "orchestrator/population.h"

namespace cambrian::orchestrator {

bool Population::Place(Island& island, const Member& member) {
  for (const Member& present : island.members) {
    if (present.id == member.id) return false;  // a migrant that is already here
  }
  // Improvement, beyond the noise: one fitness, better than the island's
  // best (not than a later tie of it, or ties would creep); several
  // objectives, a new trade-off or a point that dominates one of the
  // island's front.
  std::vector<Point> points;
  if (!multi() && island.best) points.push_back(PointOf(*island.best));
  if (multi()) {
    std::vector<Point> all;
    for (const Member& present : island.members) all.push_back(PointOf(present));
    for (size_t i : FrontOf(axes_, all)) points.push_back(all[i]);
  }
  const bool improves = ImprovesFront(axes_, points, PointOf(member));
  island.members.push_back(member);
  auto [cell, inserted] = island.grid.emplace(member.cell, member);
  if (!inserted && BetterMember(member, cell->second)) cell->second = member;
  Trim(island);
  if (!island.best || BetterHeadline(member, *island.best)) {
    // The headline best moves with the plain fitness when several
    // objectives count; with one, only beyond the noise.
    if (multi() || improves) island.best = member;
  }
  return improves;
}

void Population::Trim(Island& island) {
  if (multi()) return TrimFront(island);
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

void Population::TrimFront(Island& island) {
  while (static_cast<int>(island.members.size()) > std::max(1, config_.island_size)) {
    std::vector<Point> points;
    for (const Member& member : island.members) points.push_back(PointOf(member));
    const Standing standing = StandingOf(axes_, points);
    // The worst-ranked, most crowded member that is not a cell's elite
    // (the newer of equals).
    std::optional<size_t> worst;
    for (size_t i = 0; i < island.members.size(); ++i) {
      const Member& member = island.members[i];
      if (island.grid.at(member.cell).id == member.id) continue;
      if (island.best && island.best->id == member.id) continue;
      if (!worst || standing.Better(*worst, i) ||
          (!standing.Better(i, *worst) && member.id > island.members[*worst].id)) {
        worst = i;
      }
    }
    if (!worst) return;  // only elites left
    island.members.erase(island.members.begin() + static_cast<std::ptrdiff_t>(*worst));
  }
}

void Population::AddElite(const Member& member) {
  if (multi()) return AddFrontElite(member);
  auto at = std::find_if(elites_.begin(), elites_.end(),
                         [&](const Member& elite) { return BetterMember(member, elite); });
  elites_.insert(at, member);
  if (static_cast<int>(elites_.size()) > std::max(1, config_.elite_size)) elites_.pop_back();
}

void Population::AddFrontElite(const Member& member) {
  const Point point = PointOf(member);
  for (const Member& elite : elites_) {
    if (Dominates(axes_, PointOf(elite), point)) return;
  }
  std::erase_if(elites_,
                [&](const Member& elite) { return Dominates(axes_, point, PointOf(elite)); });
  elites_.push_back(member);
  while (static_cast<int>(elites_.size()) > std::max(1, config_.elite_size)) {
    std::vector<Point> points;
    std::vector<size_t> all;
    for (const Member& elite : elites_) {
      all.push_back(points.size());
      points.push_back(PointOf(elite));
    }
    const std::vector<double> crowding = CrowdingDistances(points, all);
    size_t drop = 0;
    for (size_t i = 1; i < elites_.size(); ++i) {
      if (crowding[i] < crowding[drop] ||
          (crowding[i] == crowding[drop] && elites_[i].id > elites_[drop].id)) {
        drop = i;
      }
    }
    elites_.erase(elites_.begin() + static_cast<std::ptrdiff_t>(drop));
  }
  std::sort(elites_.begin(), elites_.end(),
            [&](const Member& a, const Member& b) { return BetterHeadline(a, b); });
}

std::optional<Member> Population::MigrantOf(const Island& island) const {
  if (!multi() || island.members.empty()) return island.best;
  std::vector<Point> points;
  for (const Member& member : island.members) points.push_back(PointOf(member));
  std::vector<Member> front;
  for (size_t i : FrontOf(axes_, points)) front.push_back(island.members[i]);
  if (front.empty()) return island.best;
  std::sort(front.begin(), front.end(),
            [&](const Member& a, const Member& b) { return BetterHeadline(a, b); });
  // Each migration sends the next point of the front along, so over time
  // the whole trade-off travels, not only its headline end.
  return front[static_cast<size_t>(migrations_) % front.size()];
}

const Member* Population::Tournament(const std::vector<const Member*>& elites, Rng& rng) const {
  std::vector<size_t> drawn;
  for (int i = 0; i < std::max(1, config_.tournament_size); ++i) {
    drawn.push_back(rng.UniformInt(0, elites.size() - 1));
  }
  if (!multi()) {
    // A draw that ties the pick within the noise keeps the pick: which of
    // two equals wins is then the draw's chance, not noise.
    const Member* pick = elites[drawn[0]];
    for (size_t i : drawn) {
      if (Dominates(axes_, PointOf(*elites[i]), PointOf(*pick))) pick = elites[i];
    }
    return pick;
  }
  std::vector<Point> points;
  for (const Member* member : elites) points.push_back(PointOf(*member));
  const Standing standing = StandingOf(axes_, points);
  size_t pick = drawn[0];
  for (size_t i : drawn) {
    if (standing.Better(i, pick)) pick = i;
  }
  return elites[pick];
}

}  // namespace cambrian::orchestrator
