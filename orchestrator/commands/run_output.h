// What `run` says and sends at the end: the summary, the confirmations, the
// next commands, and the notifications of --notify / --notify-cmd.
#ifndef CAMBRIAN_ORCHESTRATOR_COMMANDS_RUN_OUTPUT_H_
#define CAMBRIAN_ORCHESTRATOR_COMMANDS_RUN_OUTPUT_H_

#include <memory>
#include <optional>

#include "archive/archive.h"
#include "common/clock.h"
#include "common/task.h"
#include "mutators/llm/curl_transport.h"
#include "orchestrator/controller.h"
#include "orchestrator/notifier.h"
#include "orchestrator/run_config.h"
#include "orchestrator/run_dir.h"

namespace cambrian::orchestrator {

// The notifier of --notify / --notify-cmd, when either is given.
struct NoticeSetup {
  std::unique_ptr<mutators::CurlTransport> transport;
  std::unique_ptr<Notifier> notifier;
  std::unique_ptr<RunNotices> notices;  // null when neither is given
};
NoticeSetup MakeNotices(const RunConfig& config, const RunPaths& paths, const Task& task,
                        const Clock& clock);

// The confirmed top candidates: mean and spread over every seed, and
// whether the winner's lead is larger than the task's noise floor.
void PrintConfirmations(const RunSummary& summary, const Task& task);

// Why the run stopped, what it evaluated and skipped, the LLM's calls and
// share, and the review commands for the winner (each naming this run).
void PrintSummary(const RunSummary& summary, const RunConfig& config,
                  const std::optional<archive::LlmTotals>& llm);

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_COMMANDS_RUN_OUTPUT_H_
