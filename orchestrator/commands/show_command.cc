// `cambrian show ID`: one candidate: metrics, stages, lineage, output tails.
#include <CLI/CLI.hpp>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/absl_compat.h"
#include "common/status_macros.h"
#include "orchestrator/commands/commands.h"
#include "orchestrator/review.h"
#include "orchestrator/review_front.h"

namespace cambrian::orchestrator {
namespace {

struct ShowOptions {
  int64_t id = 0;
  std::string run_dir;
  bool json = false;
  bool run = false;
  int lines = 15;
};

nlohmann::json StageJson(const archive::StageRecord& stage) {
  return {{"stage", stage.stage},
          {"outcome", std::string(OutcomeName(stage.outcome))},
          {"exit_code", stage.exit_code},
          {"term_signal", stage.term_signal},
          {"wall_seconds", stage.wall_seconds},
          {"cpu_seconds", stage.cpu_seconds},
          {"peak_rss_bytes", stage.peak_rss_bytes},
          {"seed", stage.seed},
          {"detail", stage.detail},
          {"output_tail", stage.output_tail}};
}

// "#17 knob 14.2 <- #9 knob 10.1 <- #1 seed 1.2", following first parents.
absl::StatusOr<std::string> Lineage(archive::Archive& archive, archive::Candidate candidate) {
  std::string text;
  for (int depth = 0; depth < 1000; ++depth) {
    std::string fitness =
        candidate.fitness ? absl::StrFormat("%.6g", *candidate.fitness) : std::string("-");
    absl::StrAppend(&text, depth == 0 ? "" : " <- ", "#", candidate.id, " ", candidate.mutator, " ",
                    fitness);
    if (!candidate.parent_id) break;
    CAMBRIAN_ASSIGN_OR_RETURN(candidate, archive.GetCandidate(*candidate.parent_id));
  }
  return text;
}

std::string LastLines(const std::string& text, int count) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  size_t start = lines.size() > static_cast<size_t>(count) ? lines.size() - count : 0;
  std::string out;
  for (size_t i = start; i < lines.size(); ++i) absl::StrAppend(&out, "    | ", lines[i], "\n");
  return out;
}

nlohmann::json LlmCallJson(const archive::LlmCall& call) {
  return {{"id", call.id},
          {"provider", call.provider},
          {"model", call.model},
          {"input_tokens", call.input_tokens},
          {"output_tokens", call.output_tokens},
          {"cost_usd", call.cost_usd},
          {"latency_seconds", call.latency_seconds},
          {"attempts", call.attempts},
          {"outcome", call.outcome},
          {"prompt_hash", call.prompt_hash}};
}

void PrintLlmCall(const archive::LlmCall& call) {
  std::cout << absl::StrFormat(
      "  llm call  #%d %s:%s, %d tokens in, %d out, $%.4f, %.1fs, %d attempt(s), %s\n", call.id,
      call.provider, call.model, call.input_tokens, call.output_tokens, call.cost_usd,
      call.latency_seconds, call.attempts, call.outcome);
}

// Where a candidate of a multi-objective run stands: its objectives and
// whether it is on the run's front (else who dominates it). Empty for a
// single-fitness run, or one whose task cannot be read back.
struct FrontFacts {
  std::string objectives;
  bool on_front = false;
  std::optional<int64_t> dominated_by;
};

absl::StatusOr<std::optional<FrontFacts>> FrontFactsOf(const OpenedRun& run,
                                                       const archive::Candidate& c) {
  absl::StatusOr<Task> task = LoadRecordedTask(run.info);
  if (!task.ok() || !MultiObjective(*task)) return std::optional<FrontFacts>();
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<archive::Candidate> scored,
                            run.archive->ListCandidates({.scored_only = true}));
  FrontFacts facts{FormatObjectives(*task, c)};
  facts.dominated_by = DominatedBy(*task, c, scored);
  facts.on_front = c.fitness && !facts.dominated_by;
  return std::optional<FrontFacts>(std::move(facts));
}

void PrintCandidate(const archive::Candidate& c, const std::vector<archive::StageRecord>& stages,
                    const std::string& lineage, int lines, const std::optional<FrontFacts>& front) {
  std::cout << absl::StrFormat("candidate #%d\n", c.id);
  std::cout << absl::StrFormat(
      "  status    %s%s\n", archive::CandidateStatusName(c.status),
      c.outcome ? absl::StrCat(" / ", Sv(OutcomeName(*c.outcome))) : std::string());
  std::cout << "  fitness   " << (c.fitness ? absl::StrFormat("%.6g", *c.fitness) : "-") << "\n";
  if (front && c.fitness) {
    std::cout << "  objectives " << front->objectives << "\n";
    std::cout << "  front     "
              << (front->on_front ? std::string("on the run's Pareto front")
                                  : absl::StrCat("dominated by #", *front->dominated_by))
              << "\n";
  }
  std::cout << "  mutator   " << c.mutator << ": " << c.description << "\n";
  std::cout << "  lineage   " << lineage << "\n";
  if (c.second_parent_id) std::cout << "  crossed   with #" << *c.second_parent_id << "\n";
  std::cout << "  metrics\n";
  for (const auto& [name, value] : c.metrics) {
    std::cout << absl::StrFormat("    %-20s %.6g\n", name, value);
  }
  if (!c.feedback.empty()) std::cout << "  feedback  " << c.feedback << "\n";
  std::cout << absl::StrFormat("  stages\n    %-10s %-13s %5s %8s %8s %9s  %s\n", "stage",
                               "outcome", "exit", "wall", "cpu", "peak mem", "detail");
  for (const archive::StageRecord& s : stages) {
    std::cout << absl::StrFormat("    %-10s %-13s %5d %7.2fs %7.2fs %9s  %s\n", s.stage,
                                 OutcomeName(s.outcome), s.exit_code, s.wall_seconds, s.cpu_seconds,
                                 Mebibytes(s.peak_rss_bytes), s.detail);
  }
  for (const archive::StageRecord& s : stages) {
    if (s.output_tail.empty()) continue;
    std::cout << absl::StrFormat("  output of stage '%s' (last %d lines kept)\n", s.stage, lines)
              << LastLines(s.output_tail, lines);
  }
}

// `show --run`: the run itself - task, seed and the full effective config.
absl::Status ShowRun(const OpenedRun& run, bool json) {
  nlohmann::json config = nlohmann::json::parse(run.info.config_json, nullptr, false);
  // A resume may have changed budgets: the latest session's config.
  nlohmann::json state = StoredRunState(*run.archive);
  if (state.contains("config")) config = state["config"];
  std::set<std::string> modes = SandboxModesUsed(*run.archive);
  nlohmann::json out = {
      {"run_dir", run.paths.dir.string()},
      {"task", run.info.task_name},
      {"task_dir", run.info.task_dir},
      {"trusted_hash", run.info.trusted_hash},
      {"goal", run.info.goal},
      {"seed", run.info.seed},
      {"created_at", absl::FormatTime(absl::RFC3339_sec, run.info.created_at, absl::UTCTimeZone())},
      {"sandbox", modes},
      {"warning", IsolationWarning(modes)},
      {"config", config.is_discarded() ? nlohmann::json(run.info.config_json) : config}};
  if (json) {
    std::cout << DumpJson(out) << "\n";
    return absl::OkStatus();
  }
  std::cout << absl::StrFormat(
      "run       %s\ntask      %s (%s)\ngoal      %s\nseed      %d\n"
      "started   %s\ntrusted   sha256 %s\nconfig\n",
      run.paths.dir.string(), run.info.task_name, run.info.task_dir, run.info.goal, run.info.seed,
      out["created_at"].get<std::string>(),
      run.info.trusted_hash.empty() ? "-" : run.info.trusted_hash);
  std::cout << out["config"].dump(2) << "\n";
  if (!IsolationWarning(modes).empty()) std::cout << IsolationWarning(modes) << "\n";
  return absl::OkStatus();
}

absl::Status Show(const ShowOptions& options) {
  CAMBRIAN_ASSIGN_OR_RETURN(OpenedRun run,
                            OpenRun(RunDirFlag(options.run_dir), archive::OpenMode::kReadOnly));
  if (options.run) return ShowRun(run, options.json);
  if (options.id <= 0) return absl::InvalidArgumentError("show needs a candidate ID, or --run");
  CAMBRIAN_ASSIGN_OR_RETURN(archive::Candidate candidate,
                            GetCandidateOrExplain(*run.archive, options.id));
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<archive::StageRecord> stages,
                            run.archive->GetStages(options.id));
  CAMBRIAN_ASSIGN_OR_RETURN(std::string lineage, Lineage(*run.archive, candidate));
  CAMBRIAN_ASSIGN_OR_RETURN(const std::optional<FrontFacts> front, FrontFactsOf(run, candidate));
  std::optional<archive::LlmCall> call;
  if (candidate.llm_call_id) {
    CAMBRIAN_ASSIGN_OR_RETURN(call, run.archive->GetLlmCall(*candidate.llm_call_id));
  }
  if (options.json) {
    nlohmann::json json = CandidateJson(candidate);
    json["stages"] = nlohmann::json::array();
    for (const archive::StageRecord& stage : stages) json["stages"].push_back(StageJson(stage));
    json["lineage"] = lineage;
    json["llm_call"] = call ? LlmCallJson(*call) : nlohmann::json(nullptr);
    json["warning"] = IsolationWarning(SandboxModesUsed(*run.archive));
    if (front) {
      json["on_front"] = front->on_front;
      json["dominated_by"] =
          front->dominated_by ? nlohmann::json(*front->dominated_by) : nlohmann::json(nullptr);
    }
    std::cout << DumpJson(json) << "\n";
    return absl::OkStatus();
  }
  PrintCandidate(candidate, stages, lineage, options.lines, front);
  if (call) PrintLlmCall(*call);
  std::string warning = IsolationWarning(SandboxModesUsed(*run.archive));
  if (!warning.empty()) std::cout << "\n" << warning << "\n";
  return absl::OkStatus();
}

}  // namespace

Command ShowCommand() {
  return {"show", "One candidate: metrics, stages, lineage and output", [](CLI::App& app) {
            auto options = std::make_shared<ShowOptions>();
            app.add_option("id", options->id, "Candidate id (as in the leaderboard)");
            app.add_flag("--run", options->run, "Show the run: task, seed, effective config");
            app.add_option("--run-dir", options->run_dir, "Run directory (default: latest)");
            app.add_option("--lines", options->lines, "Output lines shown per stage")
                ->capture_default_str();
            app.add_flag("--json", options->json, "One candidate object with its stages");
            return [options] { return CommandResult{Show(*options)}; };
          }};
}

}  // namespace cambrian::orchestrator
