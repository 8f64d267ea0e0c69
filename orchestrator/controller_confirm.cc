// The confirmation step: when the search has ended, the task's `confirm` best
// candidates (with several objectives: members spread along the run's
// Pareto front) are re-run on `confirm_seeds` fresh seeds each, so the
// winner is crowned on a mean and a spread rather than on one lucky
// evaluation.
#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"
#include "orchestrator/controller.h"

namespace cambrian::orchestrator {
namespace {

// Seeds no search evaluation uses: a different stream of the run seed.
uint64_t ConfirmSeed(uint64_t run_seed, int64_t id, int run) {
  return EvaluationSeed(run_seed ^ 0xC0F1F1A7E5EEDULL, id * 64 + run);
}

// `n` of `sorted`, evenly spaced from one end to the other.
std::vector<Scored> Spread(const std::vector<Scored>& sorted, int n) {
  if (static_cast<int>(sorted.size()) <= n) return sorted;
  std::vector<Scored> picks;
  for (int i = 0; i < n; ++i) {
    const size_t at = n == 1 ? 0
                             : static_cast<size_t>(std::lround(static_cast<double>(i) *
                                                               (sorted.size() - 1) / (n - 1)));
    picks.push_back(sorted[at]);
  }
  return picks;
}

}  // namespace

Stats StatsOf(const std::vector<double>& values) {
  Stats stats{.count = static_cast<int>(values.size())};
  if (values.empty()) return stats;
  double sum = 0, squares = 0;
  for (double v : values) sum += v;
  stats.mean = sum / values.size();
  for (double v : values) squares += (v - stats.mean) * (v - stats.mean);
  stats.spread = values.size() > 1 ? std::sqrt(squares / (values.size() - 1)) : 0;
  return stats;
}

std::vector<Scored> Controller::ToConfirm() const {
  std::vector<Scored> top = scoreboard_.scored();
  if (MultiObjective(*deps_.task)) {
    // The front as review shows it: every scored candidate none dominates.
    std::vector<Point> points;
    for (const Scored& s : top) points.push_back(s.objectives);
    std::vector<Scored> front;
    for (size_t i : FrontOf(AxesOf(*deps_.task), points)) front.push_back(top[i]);
    top = std::move(front);
  }
  std::sort(top.begin(), top.end(), [&](const Scored& a, const Scored& b) {
    if (a.fitness != b.fitness) return Better(deps_.task->goal, a.fitness, b.fitness);
    return a.id < b.id;
  });
  if (MultiObjective(*deps_.task)) return Spread(top, deps_.task->confirm);
  if (static_cast<int>(top.size()) > deps_.task->confirm) top.resize(deps_.task->confirm);
  return top;
}

absl::Status Controller::Confirm() {
  const std::vector<Scored> top = ToConfirm();
  int submitted = 0;
  for (const Scored& candidate : top) {
    std::vector<ConfirmRun>& runs = confirmations_[candidate.id];
    CAMBRIAN_ASSIGN_OR_RETURN(const Program* program, proposer_.ProgramOf(candidate.id));
    // A resumed run keeps the confirmations it already has.
    for (int run = static_cast<int>(runs.size()); run < deps_.task->confirm_seeds; ++run) {
      pool_->Submit({candidate.id, *program, ConfirmSeed(deps_.config->seed, candidate.id, run),
                     absl::StrCat("c", candidate.id, "-confirm", run + 1)});
      ++submitted;
    }
  }
  if (submitted > 0) {
    LogInfo(absl::StrCat("confirming ",
                         MultiObjective(*deps_.task) ? "members of the front: " : "the top ",
                         top.size(), " on ", deps_.task->confirm_seeds, " more seeds each (",
                         submitted, " evaluations)"));
  }
  while (pool_->in_flight() > 0) {
    if (*deps_.stop_requested) pool_->CancelAll();
    std::optional<EvaluationDone> done = pool_->Wait(kPollInterval);
    if (done) CAMBRIAN_RETURN_IF_ERROR(RecordConfirmation(*std::move(done)));
    deps_.progress->OnTick(State());
  }
  SummariseConfirmations();
  return absl::OkStatus();
}

absl::Status Controller::RecordConfirmation(EvaluationDone done) {
  if (!done.evaluation.ok()) {
    return Annotate(done.evaluation.status(),
                    absl::StrCat("confirming candidate #", done.candidate_id));
  }
  const evaluator::Evaluation& evaluation = *done.evaluation;
  if (evaluation.outcome == Outcome::kKilled && *deps_.stop_requested) return absl::OkStatus();
  confirmations_[done.candidate_id].push_back({evaluation.fitness, evaluation.objectives});
  std::string line =
      absl::StrFormat("#%d confirmation %s", done.candidate_id, OutcomeName(evaluation.outcome));
  if (evaluation.fitness)
    absl::StrAppend(&line, absl::StrFormat(" fitness %.6g", *evaluation.fitness));
  deps_.progress->OnCandidate(line);
  nlohmann::json event = {{"candidate", done.candidate_id},
                          {"job", done.job},
                          {"seed", done.seed},
                          {"outcome", OutcomeName(evaluation.outcome)},
                          {"fitness", evaluation.fitness ? nlohmann::json(*evaluation.fitness)
                                                         : nlohmann::json(nullptr)}};
  if (!evaluation.objectives.empty()) event["objectives"] = evaluation.objectives;
  CAMBRIAN_RETURN_IF_ERROR(deps_.archive->AddEvent("confirm", event.dump()));
  return deps_.archive->SetRunState(RunStateJson());
}

Confirmation Controller::Summarise(int64_t id, const std::vector<ConfirmRun>& extra) const {
  Confirmation confirmation;
  confirmation.id = id;
  const mutators::ScoredProgram* recorded = scoreboard_.Find(id);
  std::vector<ConfirmRun> runs = {{recorded->fitness, recorded->objectives}};
  runs.insert(runs.end(), extra.begin(), extra.end());
  std::vector<double> scores;
  std::map<std::string, std::vector<double>> objectives;
  for (const ConfirmRun& run : runs) {
    confirmation.fitness.push_back(run.fitness);
    if (!run.fitness) continue;
    scores.push_back(*run.fitness);
    for (const auto& [name, value] : run.objectives) objectives[name].push_back(value);
  }
  confirmation.failed = static_cast<int>(runs.size() - scores.size());
  const Stats stats = StatsOf(scores);
  confirmation.mean = stats.mean;
  confirmation.spread = stats.spread;
  for (const auto& [name, values] : objectives) confirmation.objectives[name] = StatsOf(values);
  return confirmation;
}

void Controller::SummariseConfirmations() {
  summary_.confirmed.clear();
  for (const auto& [id, extra] : confirmations_) {
    Confirmation confirmation = Summarise(id, extra);
    if (confirmation.failed < static_cast<int>(confirmation.fitness.size())) {
      summary_.confirmed.push_back(std::move(confirmation));
    }
  }
  MarkConfirmedFront(*deps_.task, &summary_.confirmed);
  // A candidate that failed a confirmation run ranks below every one that
  // did not: a winner must hold on every seed.
  std::sort(summary_.confirmed.begin(), summary_.confirmed.end(),
            [&](const Confirmation& a, const Confirmation& b) {
              if ((a.failed == 0) != (b.failed == 0)) return a.failed == 0;
              if (a.mean != b.mean) return Better(deps_.task->goal, a.mean, b.mean);
              return a.id < b.id;
            });
}

void MarkConfirmedFront(const Task& task, std::vector<Confirmation>* confirmed) {
  if (!MultiObjective(task)) return;
  std::vector<Point> means;
  for (const Confirmation& c : *confirmed) {
    Point point;
    for (const ObjectiveSpec& objective : task.objectives) {
      auto it = c.objectives.find(objective.name);
      point.push_back(it == c.objectives.end() ? std::nan("") : it->second.mean);
    }
    means.push_back(std::move(point));
  }
  const std::vector<Axis> axes = AxesOf(task);
  for (size_t i = 0; i < confirmed->size(); ++i) {
    bool dominated = (*confirmed)[i].failed > 0;
    for (size_t j = 0; j < means.size() && !dominated; ++j) {
      dominated = j != i && (*confirmed)[j].failed == 0 && Dominates(axes, means[j], means[i]);
    }
    (*confirmed)[i].on_front = !dominated;
  }
}

}  // namespace cambrian::orchestrator
