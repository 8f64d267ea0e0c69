// The confirmation step: when the search has ended, the task's `confirm` best
// candidates are re-run on `confirm_seeds` fresh seeds each, so the winner is
// crowned on a mean and a spread rather than on one lucky evaluation.
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

}  // namespace

absl::Status Controller::Confirm() {
  std::vector<Scored> top = scoreboard_.scored();
  std::sort(top.begin(), top.end(), [&](const Scored& a, const Scored& b) {
    if (a.fitness != b.fitness) return Better(deps_.task->goal, a.fitness, b.fitness);
    return a.id < b.id;
  });
  if (static_cast<int>(top.size()) > deps_.task->confirm) top.resize(deps_.task->confirm);
  int submitted = 0;
  for (const Scored& candidate : top) {
    std::vector<std::optional<double>>& runs = confirmations_[candidate.id];
    CAMBRIAN_ASSIGN_OR_RETURN(const Program* program, proposer_.ProgramOf(candidate.id));
    // A resumed run keeps the confirmations it already has.
    for (int run = static_cast<int>(runs.size()); run < deps_.task->confirm_seeds; ++run) {
      pool_->Submit({candidate.id, *program, ConfirmSeed(deps_.config->seed, candidate.id, run),
                     absl::StrCat("c", candidate.id, "-confirm", run + 1)});
      ++submitted;
    }
  }
  if (submitted > 0) {
    LogInfo(absl::StrCat("confirming the top ", top.size(), " on ", deps_.task->confirm_seeds,
                         " more seeds each (", submitted, " evaluations)"));
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
  confirmations_[done.candidate_id].push_back(evaluation.fitness);
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
  CAMBRIAN_RETURN_IF_ERROR(deps_.archive->AddEvent("confirm", event.dump()));
  return deps_.archive->SetRunState(RunStateJson());
}

void Controller::SummariseConfirmations() {
  summary_.confirmed.clear();
  for (const auto& [id, extra] : confirmations_) {
    Confirmation confirmation;
    confirmation.id = id;
    confirmation.fitness.push_back(scoreboard_.Find(id)->fitness);
    confirmation.fitness.insert(confirmation.fitness.end(), extra.begin(), extra.end());
    std::vector<double> scores;
    for (const std::optional<double>& f : confirmation.fitness) {
      if (f) scores.push_back(*f);
    }
    confirmation.failed = static_cast<int>(confirmation.fitness.size() - scores.size());
    if (scores.empty()) continue;
    double sum = 0, squares = 0;
    for (double s : scores) sum += s;
    confirmation.mean = sum / scores.size();
    for (double s : scores) squares += (s - confirmation.mean) * (s - confirmation.mean);
    confirmation.spread = scores.size() > 1 ? std::sqrt(squares / (scores.size() - 1)) : 0;
    summary_.confirmed.push_back(confirmation);
  }
  // A candidate that failed a confirmation run ranks below every one that
  // did not: a winner must hold on every seed.
  std::sort(summary_.confirmed.begin(), summary_.confirmed.end(),
            [&](const Confirmation& a, const Confirmation& b) {
              if ((a.failed == 0) != (b.failed == 0)) return a.failed == 0;
              if (a.mean != b.mean) return Better(deps_.task->goal, a.mean, b.mean);
              return a.id < b.id;
            });
}

}  // namespace cambrian::orchestrator
