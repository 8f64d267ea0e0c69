#include "orchestrator/review.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/file_util.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "common/units.h"
#include "common/untrusted_text.h"
#include "evaluator/task_loader.h"
#include "orchestrator/run_config.h"

namespace cambrian::orchestrator {
namespace {

std::string Truncate(const std::string& text, size_t width) {
  if (text.size() <= width) return text;
  return text.substr(0, Utf8CutPoint(text, width - 3)) + "...";
}

std::string IdOrDash(const std::optional<int64_t>& id) {
  return id ? absl::StrCat("#", *id) : std::string("-");
}

std::string StatusText(const archive::Candidate& candidate) {
  if (candidate.outcome) return std::string(OutcomeName(*candidate.outcome));
  return std::string(archive::CandidateStatusName(candidate.status));
}

// Up to `most` metrics other than the built-in code_lines, for a quick look.
std::string MetricsSummary(const Metrics& metrics, int most) {
  std::string text;
  int shown = 0;
  for (const auto& [name, value] : metrics) {
    if (name == "code_lines" || shown == most) continue;
    absl::StrAppend(&text, text.empty() ? "" : " ", name, "=", absl::StrFormat("%.4g", value));
    ++shown;
  }
  return text;
}

// An objective's column: as wide as its name (at most 24), at least 12.
int ObjectiveWidth(const std::string& name) {
  return static_cast<int>(std::clamp<size_t>(name.size(), 12, 24));
}

}  // namespace

std::string Cell(const std::string& text, size_t width) {
  return Truncate(QuoteForNote(text, 4 * width), width);
}

absl::StatusOr<OpenedRun> OpenRun(const std::optional<std::filesystem::path>& run_dir,
                                  archive::OpenMode mode) {
  CAMBRIAN_ASSIGN_OR_RETURN(std::filesystem::path dir, ResolveRunDir(run_dir));
  OpenedRun run;
  run.paths = PathsFor(dir);
  auto archive = archive::SqliteArchive::Open(run.paths.db, mode);
  if (!archive.ok() && mode == archive::OpenMode::kReadOnly &&
      absl::IsFailedPrecondition(archive.status())) {
    // An archive written by an older cambrian: a read-write open migrates
    // it (one transaction), then read it as asked.
    if (archive::SqliteArchive::Open(run.paths.db, archive::OpenMode::kReadWrite).ok()) {
      archive = archive::SqliteArchive::Open(run.paths.db, mode);
    }
  }
  if (!archive.ok()) {
    return Annotate(archive.status(), absl::StrCat("opening run ", dir.string()));
  }
  run.archive = *std::move(archive);
  CAMBRIAN_ASSIGN_OR_RETURN(run.info, run.archive->GetRunInfo());
  return run;
}

absl::StatusOr<Task> LoadRecordedTask(const archive::RunInfo& info) {
  // The profile the run was started with (tasks/*/task.toml [profiles]).
  absl::StatusOr<RunConfig> config = RunConfigFromJson(info.config_json);
  const std::string profile = config.ok() ? config->profile : "";
  absl::StatusOr<Task> task = evaluator::LoadTask(info.task_dir, profile);
  if (!task.ok()) return Annotate(task.status(), "loading the run's task");
  if (!task->trusted_root.empty()) {
    CAMBRIAN_ASSIGN_OR_RETURN(std::string hash, HashTree(task->trusted_root));
    if (hash != info.trusted_hash) {
      LogWarning(absl::StrCat("the trusted files in ", task->trusted_root.string(),
                              " changed since the run started: stored and new results may "
                              "not be comparable"));
    }
  }
  return task;
}

absl::StatusOr<archive::Candidate> GetCandidateOrExplain(archive::Archive& archive, int64_t id) {
  absl::StatusOr<archive::Candidate> candidate = archive.GetCandidate(id);
  if (candidate.ok() || !absl::IsNotFound(candidate.status())) return candidate;
  CAMBRIAN_ASSIGN_OR_RETURN(int64_t count, archive.CountCandidates());
  // "#1..#0" would read as nonsense for a run whose seed is not stored yet.
  std::string has =
      count == 0 ? std::string("it has no candidates yet") : absl::StrCat("it has #1..#", count);
  return absl::NotFoundError(absl::StrCat("no candidate #", id, " in this run (", has, ")"));
}

absl::StatusOr<int64_t> SeedId(archive::Archive& archive) {
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<archive::Candidate> all,
                            archive.ListCandidates(archive::ListOptions{}));
  for (const archive::Candidate& candidate : all) {
    if (candidate.mutator == "seed") return candidate.id;
  }
  return absl::NotFoundError("this run has no seed candidate");
}

std::string FormatLeaderboard(const std::vector<archive::Candidate>& candidates,
                              const LeaderboardFormat& format) {
  // The metrics column is as wide as its widest cell, within a limit.
  const size_t limit = format.wide ? 4096 : 72;
  size_t width = 7;
  for (const archive::Candidate& c : candidates) {
    width = std::max(width, std::min(limit, Cell(MetricsSummary(c.metrics, 8), limit).size()));
  }
  // One column per objective where the task has several, else the fitness.
  auto scores = [&](const archive::Candidate& c) {
    if (format.objectives.empty()) {
      return absl::StrFormat("%-12s", c.fitness ? absl::StrFormat("%.6g", *c.fitness) : "-");
    }
    std::string cells;
    for (const std::string& name : format.objectives) {
      auto it = c.objectives.find(name);
      absl::StrAppend(
          &cells, cells.empty() ? "" : " ",
          absl::StrFormat(
              "%-*s", ObjectiveWidth(name),
              it == c.objectives.end() ? std::string("-") : absl::StrFormat("%.6g", it->second)));
    }
    return cells;
  };
  std::string header = absl::StrFormat("%-12s", "fitness");
  if (!format.objectives.empty()) {
    header.clear();
    for (const std::string& name : format.objectives) {
      absl::StrAppend(&header, header.empty() ? "" : " ",
                      absl::StrFormat("%-*s", ObjectiveWidth(name), Cell(name, 24)));
    }
  }
  std::string out = absl::StrFormat("%-5s %-6s %s %-13s %-9s %-7s %-*s %s\n", "rank", "id", header,
                                    "status", "mutator", "parent", width, "metrics", "change");
  std::optional<double> best;
  int rank = 0, ties = 0, on_front = 0;
  for (const archive::Candidate& c : candidates) {
    std::string place = absl::StrCat(++rank);
    if (format.front.count(c.id) > 0) {
      absl::StrAppend(&place, "*");
      ++on_front;
    } else if (c.fitness && best && format.objectives.empty() && !format.noise.zero() &&
               WithinNoise(format.noise, *c.fitness, *best)) {
      absl::StrAppend(&place, "~");
      ++ties;
    }
    if (c.fitness && !best) best = c.fitness;
    absl::StrAppend(&out, absl::StrFormat("%-5s %-6s %s %-13s %-9s %-7s %-*s %s\n", place,
                                          absl::StrCat("#", c.id), scores(c), StatusText(c),
                                          Cell(c.mutator, 9), IdOrDash(c.parent_id), width,
                                          Cell(MetricsSummary(c.metrics, 8), width),
                                          Cell(c.description, format.wide ? 4096 : 60)));
  }
  if (candidates.empty()) absl::StrAppend(&out, "(no candidates yet)\n");
  if (ties > 0) {
    absl::StrAppend(&out, absl::StrFormat("~ within the task's noise floor (%s) of the best: "
                                          "a tie, not a loss (replay to tell them apart)\n",
                                          NoiseText(format.noise)));
  }
  if (on_front > 0) {
    absl::StrAppend(&out,
                    "* on the run's Pareto front: no candidate is better on one objective "
                    "without being worse on another (beyond the noise)\n");
  }
  return out;
}

std::string NoiseText(const Noise& noise) {
  std::vector<std::string> parts;
  if (noise.absolute > 0 || noise.relative == 0)
    parts.push_back(absl::StrFormat("%.4g", noise.absolute));
  if (noise.relative > 0) parts.push_back(absl::StrFormat("%.4g%%", 100 * noise.relative));
  return absl::StrJoin(parts, " + ");
}

std::vector<archive::Candidate> BestOverTime(std::vector<archive::Candidate> candidates,
                                             bool maximize) {
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const archive::Candidate& a, const archive::Candidate& b) {
                     const absl::Time ta = a.finished_at.value_or(absl::InfiniteFuture());
                     const absl::Time tb = b.finished_at.value_or(absl::InfiniteFuture());
                     return ta != tb ? ta < tb : a.id < b.id;
                   });
  std::vector<archive::Candidate> bests;
  for (archive::Candidate& c : candidates) {
    if (!c.fitness) continue;
    const bool better = bests.empty() || (maximize ? *c.fitness > *bests.back().fitness
                                                   : *c.fitness < *bests.back().fitness);
    if (better) bests.push_back(std::move(c));
  }
  return bests;
}

std::string FormatBestOverTime(const std::vector<archive::Candidate>& bests, absl::Time start) {
  std::string out;
  for (size_t i = 0; i < bests.size(); ++i) {
    const archive::Candidate& c = bests[i];
    const absl::Duration at = c.finished_at ? *c.finished_at - start : absl::ZeroDuration();
    std::string gain =
        i == 0 ? std::string("") : absl::StrFormat("(%+.4g)", *c.fitness - *bests[i - 1].fitness);
    absl::StrAppend(&out, absl::StrFormat("%-6s +%-9s fitness %-12.6g %-11s %-9s %s\n",
                                          absl::StrCat("#", c.id), HumanDuration(at), *c.fitness,
                                          gain, Cell(c.mutator, 9), Cell(c.description, 60)));
  }
  if (bests.empty()) absl::StrAppend(&out, "(no candidate has a fitness yet)\n");
  return out;
}

nlohmann::json CandidateJson(const archive::Candidate& c) {
  auto optional_id = [](const std::optional<int64_t>& id) -> nlohmann::json {
    return id ? nlohmann::json(*id) : nlohmann::json(nullptr);
  };
  nlohmann::json json = {
      {"id", c.id},
      {"parent_id", optional_id(c.parent_id)},
      {"second_parent_id", optional_id(c.second_parent_id)},
      {"mutator", c.mutator},
      {"description", c.description},
      {"status", std::string(archive::CandidateStatusName(c.status))},
      {"outcome", c.outcome ? nlohmann::json(std::string(OutcomeName(*c.outcome))) : nullptr},
      {"fitness", c.fitness ? nlohmann::json(*c.fitness) : nlohmann::json(nullptr)},
      {"objectives", c.objectives},
      {"metrics", c.metrics},
      {"feedback", c.feedback},
      {"program_hash", c.program_hash},
      {"created_at", absl::FormatTime(absl::RFC3339_sec, c.created_at, absl::UTCTimeZone())},
      {"finished_at", nullptr},
  };
  if (c.finished_at) {
    json["finished_at"] = absl::FormatTime(absl::RFC3339_sec, *c.finished_at, absl::UTCTimeZone());
  }
  return json;
}

std::string Mebibytes(int64_t bytes) { return absl::StrFormat("%.0f MiB", bytes / 1048576.0); }

std::string DumpJson(const nlohmann::json& json) {
  return json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json StoredRunState(archive::Archive& archive) {
  absl::StatusOr<std::optional<std::string>> text = archive.GetRunState();
  if (!text.ok() || !text->has_value()) return nlohmann::json::object();
  nlohmann::json state = nlohmann::json::parse(**text, nullptr, false);
  return state.is_object() ? state : nlohmann::json::object();
}

std::set<std::string> SandboxModesUsed(archive::Archive& archive) {
  std::set<std::string> modes;
  absl::StatusOr<std::vector<archive::Event>> events = archive.ListEvents(100000);
  if (!events.ok()) return modes;
  for (const archive::Event& event : *events) {
    if (event.kind != "sandbox") continue;
    nlohmann::json data = nlohmann::json::parse(event.data_json, nullptr, false);
    if (data.is_object() && data.contains("mode")) modes.insert(data.value("mode", ""));
  }
  return modes;
}

std::string FormatLlmOutcomes(const archive::LlmTotals& totals) {
  int64_t all = 0;
  std::vector<std::pair<int64_t, std::string>> others;
  for (const auto& [outcome, count] : totals.outcomes) {
    all += count;
    if (outcome != "ok") others.push_back({-count, outcome});
  }
  if (all == 0) return "no calls";
  std::sort(others.begin(), others.end());
  std::string text = absl::StrCat(all, all == 1 ? " call: " : " calls: ");
  auto ok = totals.outcomes.find("ok");
  std::vector<std::string> parts;
  if (ok != totals.outcomes.end()) {
    parts.push_back(absl::StrCat(ok->second, " ok"));
    if (totals.unevaluated > 0) {
      absl::StrAppend(&parts.back(), " (", totals.unevaluated, " never evaluated)");
    }
  }
  for (const auto& [count, outcome] : others) parts.push_back(absl::StrCat(-count, " ", outcome));
  return text + absl::StrJoin(parts, ", ");
}

std::string FormatLlmShare(int64_t llm_children, int64_t children, double target) {
  const int64_t percent =
      children > 0 ? static_cast<int64_t>(std::llround(100.0 * llm_children / children)) : 0;
  return absl::StrFormat("%d%% of %d children (target %d%%)", percent, children,
                         static_cast<int64_t>(std::llround(100 * target)));
}

std::string IsolationWarning(const std::set<std::string>& modes) {
  if (!modes.count("process")) return "";
  return "WARNING: candidates of this run ran in sandbox 'process', without isolation (your "
         "files, network and the controller were reachable); see `cambrian doctor`";
}

EvaluationRate RecentRate(std::vector<absl::Time> finished, absl::Time run_start, absl::Time now,
                          bool running) {
  EvaluationRate rate;
  if (finished.empty()) return rate;
  std::sort(finished.begin(), finished.end());
  // A stopped run's rate is that of its last ten minutes of work, not zero.
  const absl::Time end = running ? std::max(now, finished.back()) : finished.back();
  const absl::Time start = std::max(end - absl::Minutes(10), run_start);
  for (absl::Time t : finished) rate.evaluations += (t >= start && t <= end) ? 1 : 0;
  rate.window = std::max(end - start, absl::Seconds(1));
  rate.per_minute = rate.evaluations / absl::ToDoubleMinutes(rate.window);
  return rate;
}

}  // namespace cambrian::orchestrator
