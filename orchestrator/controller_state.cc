// The controller's state in the archive's run_state (see docs/search.md,
// "What a resume restores"): written with every result, read back on resume.
#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "mutators/knobs.h"
#include "nlohmann/json.hpp"
#include "orchestrator/controller.h"

namespace cambrian::orchestrator {
namespace {

using nlohmann::json;

// The value of a knob as a feature: a choice's position, a number's value,
// a sequence's length.
std::optional<double> KnobFeature(const mutators::Knob& knob) {
  switch (knob.kind) {
    case mutators::KnobKind::kChoices: {
      auto it = std::find(knob.choices.begin(), knob.choices.end(), knob.value);
      if (it == knob.choices.end()) return std::nullopt;
      return static_cast<double>(it - knob.choices.begin());
    }
    case mutators::KnobKind::kSequence:
      return knob.value.empty() ? 0.0 : 1.0 + std::count(knob.value.begin(), knob.value.end(), ',');
    default: {
      double number = 0;
      if (!absl::SimpleAtod(knob.value, &number)) return std::nullopt;
      return number;
    }
  }
}

}  // namespace

std::vector<const archive::Candidate*> InFinishOrder(
    const std::vector<archive::Candidate>& recorded) {
  std::vector<const archive::Candidate*> done;
  for (const archive::Candidate& c : recorded) {
    if (c.status == archive::CandidateStatus::kDone) done.push_back(&c);
  }
  std::stable_sort(done.begin(), done.end(), [](const auto* a, const auto* b) {
    return a->finished_at.value_or(a->created_at) < b->finished_at.value_or(b->created_at);
  });
  return done;
}

absl::StatusOr<Metrics> Controller::FeatureMetrics(int64_t id, const Metrics& metrics) {
  Metrics features = metrics;
  std::vector<std::string> wanted;
  for (const FeatureSpec& feature : deps_.task->features) {
    if (feature.name.rfind("knob:", 0) == 0) wanted.push_back(feature.name.substr(5));
  }
  if (wanted.empty()) return features;
  // Not through ProgramOf: that caches parents, and most candidates are not.
  CAMBRIAN_ASSIGN_OR_RETURN(Program program, proposer_.LoadProgram(id));
  absl::StatusOr<std::vector<mutators::Knob>> knobs =
      mutators::FindKnobs(program, deps_.task->editable);
  if (!knobs.ok()) return features;  // an LLM edit broke an annotation: bin 0
  for (const mutators::Knob& knob : *knobs) {
    if (std::find(wanted.begin(), wanted.end(), knob.name) == wanted.end()) continue;
    if (std::optional<double> value = KnobFeature(knob)) features["knob:" + knob.name] = *value;
  }
  return features;
}

std::string Controller::RunStateJson() const {
  json confirmations = json::object();
  for (const auto& [id, runs] : confirmations_) {
    json list = json::array();
    for (const ConfirmRun& run : runs) {
      if (!run.fitness) {
        list.push_back(json(nullptr));
      } else if (run.objectives.empty()) {
        list.push_back(*run.fitness);
      } else {
        list.push_back({{"fitness", *run.fitness}, {"objectives", run.objectives}});
      }
    }
    confirmations[std::to_string(id)] = list;
  }
  json crashes = json::object();
  for (const auto& [id, count] : crashes_) crashes[std::to_string(id)] = count;
  json state = {
      {"version", 1},
      {"confirmations", confirmations},
      {"crashes", crashes},
      {"evaluated", scoreboard_.evaluated()},
      {"failed", scoreboard_.failed()},
      {"rejected_proposals", proposer_.counts().rejected},
      {"duplicate_proposals", proposer_.counts().duplicates},
      {"not_novel_proposals", proposer_.counts().not_novel},
      {"since_improvement", stop_->since_improvement()},
      {"elapsed_seconds", absl::ToDoubleSeconds(stop_->Elapsed())},
      {"population", json::parse(population_.ToJson())},
      {"config", json::parse(RunConfigToJson(*deps_.config))},
  };
  return state.dump(-1, ' ', false, json::error_handler_t::replace);
}

absl::Status Controller::RestoreState(const std::vector<archive::Candidate>& recorded) {
  CAMBRIAN_ASSIGN_OR_RETURN(std::optional<std::string> text, deps_.archive->GetRunState());
  if (!text) {
    LogInfo("no stored search state (a run from an older cambrian): replaying its results");
    std::optional<absl::Time> first, last;
    std::optional<double> best;
    int64_t since_improvement = 0;
    for (const archive::Candidate* c : InFinishOrder(recorded)) {
      CAMBRIAN_ASSIGN_OR_RETURN(Metrics features, FeatureMetrics(c->id, c->metrics));
      population_.Add(c->id, c->island, c->fitness, features,
                      ObjectivePoint(*deps_.task, c->objectives));
      ++since_improvement;
      if (c->fitness &&
          (!best || BetterBeyondNoise(deps_.task->goal, deps_.task->noise, *c->fitness, *best))) {
        best = c->fitness;
        since_improvement = 0;
      }
      if (!first || c->created_at < *first) first = c->created_at;
      last = c->finished_at.value_or(c->created_at);
    }
    stop_->Resume(
        first && last ? std::max(absl::ZeroDuration(), *last - *first) : absl::ZeroDuration(),
        since_improvement);
    return absl::OkStatus();
  }
  const json state = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!state.is_object()) return absl::DataLossError("the stored run state is not JSON");
  std::vector<Member> scored;
  for (const Scored& s : scoreboard_.scored()) {
    scored.push_back(
        {s.id, s.fitness, population_.CellOf(scoreboard_.Find(s.id)->metrics), s.objectives});
  }
  try {
    stop_->Resume(absl::Seconds(state.at("elapsed_seconds").get<double>()),
                  state.at("since_improvement").get<int64_t>());
    proposer_.RestoreCounts({.rejected = state.at("rejected_proposals").get<int64_t>(),
                             .duplicates = state.at("duplicate_proposals").get<int64_t>(),
                             .not_novel = state.value("not_novel_proposals", int64_t{0})});
    if (state.at("evaluated").get<int64_t>() != scoreboard_.evaluated()) {
      return absl::DataLossError(absl::StrCat(
          "the stored run state counts ", state.at("evaluated").get<int64_t>(),
          " evaluations but the archive holds ", scoreboard_.evaluated(), " finished candidates"));
    }
    const json crashes = state.value("crashes", json::object());
    for (const auto& [id, count] : crashes.items()) {
      crashes_[std::stoll(id)] = count.get<int>();
    }
    const json confirmations = state.value("confirmations", json::object());
    for (const auto& [id, runs] : confirmations.items()) {
      std::vector<ConfirmRun>& restored = confirmations_[std::stoll(id)];
      for (const json& f : runs) {
        if (f.is_object()) {
          restored.push_back({f.at("fitness").get<double>(), f.at("objectives").get<Metrics>()});
        } else {
          restored.push_back(
              {f.is_number() ? std::optional<double>(f.get<double>()) : std::nullopt});
        }
      }
    }
    return Annotate(population_.Restore(state.at("population").dump(), std::move(scored)),
                    "restoring the islands");
  } catch (const json::exception& error) {
    return absl::DataLossError(absl::StrCat("the stored run state is damaged: ", error.what()));
  }
}

}  // namespace cambrian::orchestrator
