#include "orchestrator/commands/run_output.h"

#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/units.h"
#include "common/untrusted_text.h"
#include "orchestrator/review.h"

namespace cambrian::orchestrator {

namespace fs = std::filesystem;

NoticeSetup MakeNotices(const RunConfig& config, const RunPaths& paths, const Task& task,
                        const Clock& clock) {
  NoticeSetup setup;
  std::vector<std::unique_ptr<NoticeSink>> sinks;
  if (!config.notify_url.empty()) {
    setup.transport = std::make_unique<mutators::CurlTransport>();
    sinks.push_back(std::make_unique<WebhookSink>(*setup.transport, config.notify_url));
  }
  if (!config.notify_cmd.empty()) sinks.push_back(std::make_unique<CommandSink>(config.notify_cmd));
  if (sinks.empty()) return setup;
  std::string names;
  for (const auto& sink : sinks)
    absl::StrAppend(&names, names.empty() ? "" : " and ", sink->name());
  LogInfo(absl::StrCat("notifications to ", names));
  setup.notifier = std::make_unique<Notifier>(std::move(sinks));
  setup.notices =
      std::make_unique<RunNotices>(*setup.notifier, paths.dir.string(), task.name, clock);
  return setup;
}

namespace {

std::string Runs(const Confirmation& c) {
  std::vector<std::string> runs;
  for (const std::optional<double>& f : c.fitness) {
    runs.push_back(f ? absl::StrFormat("%.6g", *f) : "failed");
  }
  return absl::StrJoin(runs, ", ");
}

// A multi-objective run's confirmations: each objective's mean and spread,
// and which members hold on the front on their means.
void PrintConfirmedFront(const RunSummary& summary, const Task& task) {
  std::cout << absl::StrFormat("\nFront members confirmed on %d more seeds each:\n",
                               task.confirm_seeds);
  for (const Confirmation& c : summary.confirmed) {
    std::vector<std::string> parts;
    for (const ObjectiveSpec& objective : task.objectives) {
      auto it = c.objectives.find(objective.name);
      if (it == c.objectives.end()) continue;
      parts.push_back(
          absl::StrFormat("%s %.6g +- %.3g", objective.name, it->second.mean, it->second.spread));
    }
    std::cout << absl::StrFormat("  #%-5d %s  (%d runs%s)%s\n", c.id, absl::StrJoin(parts, ", "),
                                 static_cast<int>(c.fitness.size()),
                                 c.failed > 0 ? absl::StrFormat(", %d failed", c.failed) : "",
                                 c.on_front ? "  on the front" : "");
  }
  int held = 0;
  for (const Confirmation& c : summary.confirmed) held += c.on_front ? 1 : 0;
  std::cout << absl::StrFormat(
      "%d of %d hold on the front on their means (beyond the noise, no other is better on one "
      "objective and no worse on the rest).\n",
      held, static_cast<int>(summary.confirmed.size()));
}

}  // namespace

void PrintConfirmations(const RunSummary& summary, const Task& task) {
  if (summary.confirmed.empty()) return;
  if (MultiObjective(task)) return PrintConfirmedFront(summary, task);
  std::cout << absl::StrFormat("\nConfirmed on %d more seeds each (noise floor %s):\n",
                               task.confirm_seeds, NoiseText(task.noise));
  for (const Confirmation& c : summary.confirmed) {
    std::cout << absl::StrFormat("  #%-5d mean %.6g  spread %.3g  runs %s\n", c.id, c.mean,
                                 c.spread, Runs(c));
  }
  const Confirmation& winner = summary.confirmed.front();
  std::cout << absl::StrFormat("Winner: #%d, mean %.6g +- %.3g", winner.id, winner.mean,
                               winner.spread);
  if (summary.confirmed.size() > 1 && winner.failed == 0 &&
      WithinNoise(task.noise, winner.mean, summary.confirmed[1].mean)) {
    std::cout << absl::StrFormat(" (a tie with #%d within the noise floor)",
                                 summary.confirmed[1].id);
  }
  if (winner.failed > 0) std::cout << " (but it failed a confirmation run)";
  std::cout << "\n";
}

namespace {

// The review commands for the winner, each naming this run: a copied line
// must not act on whichever run is the latest by then.
std::string NextSteps(int64_t best, const fs::path& run_dir) {
  const std::string dir = ShellQuote(run_dir.string());
  return absl::StrFormat(
      "Next: cambrian show %d --run-dir %s\n"
      "      cambrian replay %d --run-dir %s\n"
      "      cambrian export %d --run-dir %s --patch > best.patch\n",
      best, dir, best, dir, best, dir);
}

}  // namespace

void PrintSummary(const RunSummary& summary, const RunConfig& config,
                  const std::optional<archive::LlmTotals>& llm) {
  std::cout << absl::StrFormat(
      "\nStopped: %s after %s. %d evaluated (%d failed, %d interrupted); %d proposals rejected, "
      "%d duplicates and %d not novel skipped.\n",
      summary.stop_reason, HumanDuration(summary.elapsed), summary.evaluated, summary.failed,
      summary.interrupted, summary.rejected_proposals, summary.duplicate_proposals,
      summary.not_novel_proposals);
  if (llm) {
    std::cout << "LLM: " << FormatLlmOutcomes(*llm) << "; "
              << FormatLlmShare(summary.llm_children, summary.children, config.llm_share) << ".\n";
  }
  if (!summary.front.empty()) {
    std::vector<std::string> ids;
    for (int64_t id : summary.front) {
      if (ids.size() == 8) {
        ids.push_back("...");
        break;
      }
      ids.push_back(absl::StrCat("#", id));
    }
    std::cout << absl::StrFormat(
        "Pareto front: %d candidates (%s); see cambrian leaderboard --front --run-dir %s\n",
        static_cast<int>(summary.front.size()), absl::StrJoin(ids, ", "),
        ShellQuote(config.run_dir.string()));
  }
  if (summary.best_id) {
    std::cout << absl::StrFormat("Best: #%d with fitness %.6g.\n%s", *summary.best_id,
                                 *summary.best_fitness,
                                 NextSteps(*summary.best_id, config.run_dir));
  }
}

}  // namespace cambrian::orchestrator
