// `cambrian status`: where a run stands, read from its database without
// disturbing a controller that is writing it.
#include <CLI/CLI.hpp>
#include <iostream>
#include <map>

#include "absl/strings/str_format.h"
#include "common/clock.h"
#include "common/status_macros.h"
#include "common/units.h"
#include "orchestrator/commands/commands.h"
#include "orchestrator/review.h"
#include "orchestrator/run_config.h"

namespace cambrian::orchestrator {
namespace {

struct StatusOptions {
  std::string run_dir;
  bool json = false;
};

struct Counts {
  std::map<std::string, int64_t> by_status;
  int64_t failed = 0;
  std::vector<absl::Time> finished;  // when each evaluation ended
  int64_t children = 0;              // every candidate but the seed
  int64_t llm_children = 0;          // those an LLM made
  std::optional<archive::Candidate> best;
};

// The run's llm_share when it has an LLM, else null (also for a damaged
// stored configuration).
nlohmann::json LlmShareTarget(const nlohmann::json& config) {
  absl::StatusOr<RunConfig> parsed = RunConfigFromJson(config.dump());
  if (!parsed.ok() || !parsed->llm.enabled()) return nullptr;
  return parsed->llm_share;
}

absl::StatusOr<Counts> CountCandidates(archive::Archive& archive) {
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<archive::Candidate> all,
                            archive.ListCandidates({.best_first = true}));
  Counts counts;
  for (const archive::Candidate& c : all) {
    ++counts.by_status[std::string(archive::CandidateStatusName(c.status))];
    if (c.outcome && *c.outcome != Outcome::kOk) ++counts.failed;
    if (c.finished_at) counts.finished.push_back(*c.finished_at);
    if (!counts.best && c.fitness) counts.best = c;
    if (c.mutator != "seed") ++counts.children;
    if (c.mutator == "llm") ++counts.llm_children;
  }
  return counts;
}

nlohmann::json IslandsJson(const nlohmann::json& state) {
  nlohmann::json islands = nlohmann::json::array();
  const nlohmann::json population = state.value("population", nlohmann::json::object());
  for (const nlohmann::json& island : population.value("islands", nlohmann::json::array())) {
    const nlohmann::json best = island.value("best", nlohmann::json());
    islands.push_back({{"best_id", best.is_array() ? best[0] : nlohmann::json()},
                       {"best_fitness", best.is_array() ? best[1] : nlohmann::json()},
                       {"members", island.value("members", nlohmann::json::array()).size()},
                       {"cells", island.value("grid", nlohmann::json::array()).size()},
                       {"stale", island.value("stale", 0)},
                       {"reseeds", island.value("reseeds", 0)}});
  }
  return islands;
}

void PrintText(const OpenedRun& run, const Counts& counts, const nlohmann::json& json) {
  std::cout << absl::StrFormat("run      %s (task %s): %s\n", run.paths.dir.string(),
                               run.info.task_name,
                               json["running"].get<bool>() ? "running" : "not running");
  std::cout << "started  "
            << absl::FormatTime("%Y-%m-%d %H:%M:%S", run.info.created_at, absl::LocalTimeZone())
            << "\ncandidates";
  for (const auto& [status, count] : counts.by_status) std::cout << " " << status << " " << count;
  const nlohmann::json& rate = json["rate"];
  std::cout << absl::StrFormat(" (failed %d)\nrate     %.1f evaluations/min over the last %s%s\n",
                               counts.failed, rate["per_minute"].get<double>(),
                               HumanDuration(absl::Seconds(rate["window_seconds"].get<double>())),
                               json["running"].get<bool>() ? "" : " of work");
  const nlohmann::json& budget = json["budget"];
  int64_t done = counts.by_status.count("done") ? counts.by_status.at("done") : 0;
  std::cout << "budget   evaluations " << done << "/"
            << (budget["evaluations"].is_null() ? "-" : budget["evaluations"].dump());
  std::cout << ", time " << HumanDuration(absl::Seconds(json.value("elapsed_seconds", 0.0))) << "/"
            << (budget["wall_seconds"].is_null()
                    ? std::string("-")
                    : HumanDuration(absl::Seconds(budget["wall_seconds"].get<double>())));
  std::cout << ", " << json.value("since_improvement", nlohmann::json(0)).dump()
            << " evaluations since the last new best";
  if (!budget["patience"].is_null()) std::cout << " (patience " << budget["patience"] << ")";
  std::cout << "\n";
  if (counts.best) {
    std::cout << absl::StrFormat("best     #%d fitness %.6g (%s)\n", counts.best->id,
                                 *counts.best->fitness, counts.best->description);
  }
  for (size_t i = 0; i < json["islands"].size(); ++i) {
    const nlohmann::json& island = json["islands"][i];
    std::cout << absl::StrFormat(
        "island %d best %s, %d members in %d cells, %d since it improved", i,
        island["best_id"].is_null()
            ? std::string("none")
            : absl::StrCat("#", island["best_id"].dump(), " ", island["best_fitness"].dump()),
        island["members"].get<int>(), island["cells"].get<int>(), island["stale"].get<int64_t>());
    if (island["reseeds"].get<int>() > 0) std::cout << ", reseeded " << island["reseeds"];
    std::cout << "\n";
  }
  const nlohmann::json& llm = json["llm"];
  std::cout << absl::StrFormat("llm      %s; %d tokens in, %d out, $%.4f\n",
                               llm["summary"].get<std::string>(),
                               llm["input_tokens"].get<int64_t>(),
                               llm["output_tokens"].get<int64_t>(), llm["cost_usd"].get<double>());
  if (!llm["share_target"].is_null()) {
    std::cout << "         "
              << FormatLlmShare(llm["llm_children"].get<int64_t>(), llm["children"].get<int64_t>(),
                                llm["share_target"].get<double>())
              << "\n";
  }
  const nlohmann::json& proposals = json["proposals"];
  std::cout << absl::StrFormat("skipped  %d proposals rejected, %d duplicates, %d not novel\n",
                               proposals["rejected"].get<int64_t>(),
                               proposals["duplicates"].get<int64_t>(),
                               proposals["not_novel"].get<int64_t>());
  std::string warning = json["warning"].get<std::string>();
  if (!warning.empty()) std::cout << warning << "\n";
}

absl::Status PrintStatus(const StatusOptions& options) {
  CAMBRIAN_ASSIGN_OR_RETURN(OpenedRun run,
                            OpenRun(RunDirFlag(options.run_dir), archive::OpenMode::kReadOnly));
  CAMBRIAN_ASSIGN_OR_RETURN(Counts counts, CountCandidates(*run.archive));
  const bool running = ControllerRunning(run.paths);
  const EvaluationRate rate =
      RecentRate(counts.finished, run.info.created_at, SystemClock().Now(), running);
  CAMBRIAN_ASSIGN_OR_RETURN(archive::LlmTotals llm, run.archive->GetLlmTotals());
  nlohmann::json state = StoredRunState(*run.archive);
  std::set<std::string> modes = SandboxModesUsed(*run.archive);
  nlohmann::json config = state.contains("config")
                              ? state["config"]
                              : nlohmann::json::parse(run.info.config_json, nullptr, false);
  if (!config.is_object()) config = nlohmann::json::object();  // damaged: show what we can
  nlohmann::json json = {
      {"run_dir", run.paths.dir.string()},
      {"task", run.info.task_name},
      {"running", running},
      {"candidates", counts.by_status},
      {"failed", counts.failed},
      {"rate",
       {{"per_minute", rate.per_minute},
        {"evaluations", rate.evaluations},
        {"window_seconds", absl::ToDoubleSeconds(rate.window)}}},
      {"best", counts.best ? CandidateJson(*counts.best) : nlohmann::json(nullptr)},
      {"budget",
       {{"evaluations", config.value("max_evaluations", nlohmann::json())},
        {"wall_seconds", config.value("max_wall_seconds", nlohmann::json())},
        {"patience", config.value("patience", nlohmann::json())}}},
      {"elapsed_seconds", state.value("elapsed_seconds", 0.0)},
      {"since_improvement", state.value("since_improvement", nlohmann::json())},
      {"islands", IslandsJson(state)},
      {"migrations", state.value("population", nlohmann::json::object()).value("migrations", 0)},
      {"proposals",
       {{"rejected", state.value("rejected_proposals", 0)},
        {"duplicates", state.value("duplicate_proposals", 0)},
        {"not_novel", state.value("not_novel_proposals", 0)}}},
      {"sandbox", modes},
      {"warning", IsolationWarning(modes)},
      {"llm",
       {{"calls", llm.calls},  // billed
        {"input_tokens", llm.input_tokens},
        {"output_tokens", llm.output_tokens},
        {"cost_usd", llm.cost_usd},
        {"outcomes", llm.outcomes},  // every call
        {"unevaluated", llm.unevaluated},
        {"summary", FormatLlmOutcomes(llm)},
        {"children", counts.children},
        {"llm_children", counts.llm_children},
        {"share_target", LlmShareTarget(config)}}}};
  if (options.json) {
    std::cout << DumpJson(json) << "\n";
  } else {
    PrintText(run, counts, json);
  }
  return absl::OkStatus();
}

}  // namespace

Command StatusCommand() {
  return {"status", "Where a run stands: counts, best, rate, LLM spend (safe while it runs)",
          [](CLI::App& app) {
            auto options = std::make_shared<StatusOptions>();
            app.add_option("run_dir", options->run_dir, "Run directory (default: latest)");
            app.add_option("--run-dir", options->run_dir, "Run directory (default: latest)");
            app.add_flag("--json", options->json, "Machine-readable output");
            return [options] { return CommandResult{PrintStatus(*options)}; };
          }};
}

}  // namespace cambrian::orchestrator
