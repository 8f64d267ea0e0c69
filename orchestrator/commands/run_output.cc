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

void PrintConfirmations(const RunSummary& summary, const Task& task) {
  if (summary.confirmed.empty()) return;
  std::cout << absl::StrFormat("\nConfirmed on %d more seeds each (noise floor %.4g):\n",
                               task.confirm_seeds, task.noise);
  for (const Confirmation& c : summary.confirmed) {
    std::vector<std::string> runs;
    for (const std::optional<double>& f : c.fitness) {
      runs.push_back(f ? absl::StrFormat("%.6g", *f) : "failed");
    }
    std::cout << absl::StrFormat("  #%-5d mean %.6g  spread %.3g  runs %s\n", c.id, c.mean,
                                 c.spread, absl::StrJoin(runs, ", "));
  }
  const Confirmation& winner = summary.confirmed.front();
  std::cout << absl::StrFormat("Winner: #%d, mean %.6g +- %.3g", winner.id, winner.mean,
                               winner.spread);
  if (summary.confirmed.size() > 1 && winner.failed == 0 &&
      std::abs(winner.mean - summary.confirmed[1].mean) <= task.noise) {
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
  if (summary.best_id) {
    std::cout << absl::StrFormat("Best: #%d with fitness %.6g.\n%s", *summary.best_id,
                                 *summary.best_fitness,
                                 NextSteps(*summary.best_id, config.run_dir));
  }
}

}  // namespace cambrian::orchestrator
