// Population state <-> JSON, for the archive's run_state (resume).
#include <cmath>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "orchestrator/population.h"

namespace cambrian::orchestrator {
namespace {

using nlohmann::json;

json MemberJson(const Member& member) {
  json out = json::array({member.id, member.fitness, member.cell});
  if (!member.objectives.empty()) {
    json values = json::array();
    // JSON has no NaN (a missing objective): null.
    for (double v : member.objectives) values.push_back(std::isfinite(v) ? json(v) : json());
    out.push_back(values);
  }
  return out;
}

Member MemberFrom(const json& value) {
  Member member{value.at(0).get<int64_t>(), value.at(1).get<double>(),
                value.at(2).get<std::vector<int>>()};
  if (value.size() > 3) {
    for (const json& v : value.at(3)) {
      member.objectives.push_back(v.is_number() ? v.get<double>() : std::nan(""));
    }
  }
  return member;
}

std::vector<Member> MembersFrom(const json& value) {
  std::vector<Member> members;
  for (const json& member : value) members.push_back(MemberFrom(member));
  return members;
}

json MembersJson(const std::vector<Member>& members) {
  json list = json::array();
  for (const Member& member : members) list.push_back(MemberJson(member));
  return list;
}

}  // namespace

std::string Population::ToJson() const {
  json islands = json::array();
  for (const Island& island : islands_) {
    json grid = json::array();
    for (const auto& [cell, member] : island.grid) grid.push_back(MemberJson(member));
    islands.push_back({{"members", MembersJson(island.members)},
                       {"grid", grid},
                       {"best", island.best ? MemberJson(*island.best) : json()},
                       {"stale", island.stale},
                       {"reseeds", island.reseeds}});
  }
  json state = {{"islands", islands},
                {"elites", MembersJson(elites_)},
                {"next_island", next_island_},
                {"since_migration", since_migration_},
                {"migrations", migrations_}};
  return state.dump();
}

absl::Status Population::Restore(std::string_view text, std::vector<Member> scored) {
  const json state = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!state.is_object()) return absl::DataLossError("the stored population is not an object");
  try {
    const json& islands = state.at("islands");
    if (islands.size() != islands_.size()) {
      return absl::DataLossError(absl::StrCat("the stored population has ", islands.size(),
                                              " islands, the run config ", islands_.size()));
    }
    std::vector<Island> restored(islands.size());
    for (size_t i = 0; i < islands.size(); ++i) {
      const json& from = islands[i];
      restored[i].members = MembersFrom(from.at("members"));
      for (const Member& member : MembersFrom(from.at("grid"))) {
        restored[i].grid.emplace(member.cell, member);
      }
      if (!from.at("best").is_null()) restored[i].best = MemberFrom(from.at("best"));
      restored[i].stale = from.at("stale").get<int64_t>();
      restored[i].reseeds = from.at("reseeds").get<int>();
    }
    std::vector<Member> elites = MembersFrom(state.at("elites"));
    int next_island = state.at("next_island").get<int>();
    if (next_island < 0 || next_island >= island_count()) {
      return absl::DataLossError(
          absl::StrCat("stored next island ", next_island, " is out of range"));
    }
    islands_ = std::move(restored);
    elites_ = std::move(elites);
    next_island_ = next_island;
    since_migration_ = state.at("since_migration").get<int64_t>();
    migrations_ = state.at("migrations").get<int64_t>();
  } catch (const json::exception& error) {
    return absl::DataLossError(absl::StrCat("the stored population is damaged: ", error.what()));
  }
  scored_ = std::move(scored);
  return absl::OkStatus();
}

}  // namespace cambrian::orchestrator
