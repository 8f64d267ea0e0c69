// `cambrian status`: where a run stands, read from its database without
// disturbing a controller that is writing it.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <map>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "common/units.h"
#include "orchestrator/commands/commands.h"
#include "orchestrator/review.h"

namespace cambrian::orchestrator {
namespace {

struct StatusOptions {
  std::string run_dir;
  bool json = false;
};

// True if a controller holds the run's lock (probed without taking it).
bool ControllerRunning(const RunPaths& paths) {
  int fd = open(paths.lock.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool held = flock(fd, LOCK_SH | LOCK_NB) != 0;
  close(fd);
  return held;
}

struct Counts {
  std::map<std::string, int64_t> by_status;
  int64_t failed = 0;
  int64_t recent = 0;  // finished in the last 10 minutes
  std::optional<archive::Candidate> best;
};

absl::StatusOr<Counts> CountCandidates(archive::Archive& archive) {
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<archive::Candidate> all,
                            archive.ListCandidates({.best_first = true}));
  Counts counts;
  absl::Time recent = absl::Now() - absl::Minutes(10);
  for (const archive::Candidate& c : all) {
    ++counts.by_status[std::string(archive::CandidateStatusName(c.status))];
    if (c.outcome && *c.outcome != Outcome::kOk) ++counts.failed;
    if (c.finished_at && *c.finished_at >= recent) ++counts.recent;
    if (!counts.best && c.fitness) counts.best = c;
  }
  return counts;
}

absl::Status PrintStatus(const StatusOptions& options) {
  CAMBRIAN_ASSIGN_OR_RETURN(OpenedRun run,
                            OpenRun(RunDirFlag(options.run_dir), archive::OpenMode::kReadOnly));
  CAMBRIAN_ASSIGN_OR_RETURN(Counts counts, CountCandidates(*run.archive));
  CAMBRIAN_ASSIGN_OR_RETURN(archive::LlmTotals llm, run.archive->GetLlmTotals());
  nlohmann::json config = nlohmann::json::parse(run.info.config_json, nullptr, false);
  if (!config.is_object()) config = nlohmann::json::object();  // damaged: show what we can
  bool running = ControllerRunning(run.paths);
  nlohmann::json json = {
      {"run_dir", run.paths.dir.string()},
      {"task", run.info.task_name},
      {"running", running},
      {"candidates", counts.by_status},
      {"failed", counts.failed},
      {"evaluations_last_10_min", counts.recent},
      {"best", counts.best ? CandidateJson(*counts.best) : nlohmann::json(nullptr)},
      {"budget",
       {{"evaluations", config.value("max_evaluations", nlohmann::json())},
        {"wall_seconds", config.value("max_wall_seconds", nlohmann::json())}}},
      {"llm",
       {{"calls", llm.calls},
        {"input_tokens", llm.input_tokens},
        {"output_tokens", llm.output_tokens},
        {"cost_usd", llm.cost_usd}}}};
  if (options.json) {
    std::cout << DumpJson(json) << "\n";
    return absl::OkStatus();
  }
  std::cout << absl::StrFormat("run      %s (task %s): %s\n", run.paths.dir.string(),
                               run.info.task_name, running ? "running" : "not running");
  std::cout << "started  "
            << absl::FormatTime("%Y-%m-%d %H:%M:%S", run.info.created_at, absl::LocalTimeZone())
            << "\ncandidates";
  for (const auto& [status, count] : counts.by_status) std::cout << " " << status << " " << count;
  std::cout << absl::StrFormat(" (failed %d)\nrate     %.1f evaluations/min over the last 10 min\n",
                               counts.failed, counts.recent / 10.0);
  std::cout << "budget   " << json["budget"].dump() << "\n";
  if (counts.best) {
    std::cout << absl::StrFormat("best     #%d fitness %.6g (%s)\n", counts.best->id,
                                 *counts.best->fitness, counts.best->description);
  }
  std::cout << absl::StrFormat("llm      %d calls, %d tokens in, %d out, $%.4f\n", llm.calls,
                               llm.input_tokens, llm.output_tokens, llm.cost_usd);
  return absl::OkStatus();
}

}  // namespace

Command StatusCommand() {
  return {"status", "Where a run stands: counts, best, rate, LLM spend (safe while it runs)",
          [](CLI::App& app) {
            auto options = std::make_shared<StatusOptions>();
            app.add_option("--run-dir", options->run_dir, "Run directory (default: latest)");
            app.add_flag("--json", options->json, "Machine-readable output");
            return [options] { return CommandResult{PrintStatus(*options)}; };
          }};
}

}  // namespace cambrian::orchestrator
