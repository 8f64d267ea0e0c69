#include "orchestrator/serve/dashboard_data.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/status_macros.h"
#include "common/text_diff.h"
#include "orchestrator/review.h"
#include "orchestrator/review_front.h"
#include "orchestrator/run_dir.h"

namespace cambrian::orchestrator {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

double Unix(absl::Time t) { return absl::ToDoubleSeconds(t - absl::UnixEpoch()); }

json OrNull(const std::optional<double>& value) { return value ? json(*value) : json(nullptr); }
json OrNull(const std::optional<int64_t>& value) { return value ? json(*value) : json(nullptr); }

json BriefJson(const archive::Candidate& c) {
  return {{"id", c.id},
          {"parent_id", OrNull(c.parent_id)},
          {"second_parent_id", OrNull(c.second_parent_id)},
          {"mutator", c.mutator},
          {"description", c.description},
          {"island", c.island},
          {"status", std::string(archive::CandidateStatusName(c.status))},
          {"outcome", c.outcome ? json(std::string(OutcomeName(*c.outcome))) : json(nullptr)},
          {"fitness", OrNull(c.fitness)},
          {"objectives", c.objectives},
          {"metrics", c.metrics},
          {"created", Unix(c.created_at)},
          {"finished", c.finished_at ? json(Unix(*c.finished_at)) : json(nullptr)}};
}

absl::StatusOr<OpenedRun> Open(const ServedRun& run) {
  return OpenRun(run.dir, archive::OpenMode::kReadOnly);
}

// The run's task, where its directory still loads (nullptr otherwise).
// Loading a task hashes its trusted files, so each run's is read once per
// process, not on every refresh of a live page.
std::shared_ptr<const Task> RecordedTask(const archive::RunInfo& info) {
  static absl::Mutex mutex;
  static auto* cache = new std::map<std::string, std::shared_ptr<const Task>>();
  const std::string key =
      absl::StrCat(info.task_dir, "\n", absl::ToUnixNanos(info.created_at), "\n", info.config_json);
  absl::MutexLock lock(&mutex);
  auto it = cache->find(key);
  if (it == cache->end()) {
    absl::StatusOr<Task> task = LoadRecordedTask(info);
    it = cache->emplace(key, task.ok() ? std::make_shared<const Task>(*std::move(task)) : nullptr)
             .first;
  }
  return it->second;
}

// The task's noise, features and objectives, and the run's Pareto front
// (a multi-objective task).
void AddTaskFacts(const archive::RunInfo& info, const std::vector<archive::Candidate>& all,
                  json& out) {
  std::shared_ptr<const Task> task = RecordedTask(info);
  json features = json::array(), objectives = json::array();
  out["noise"] = task ? task->noise.absolute : 0.0;
  out["noise_relative"] = task ? task->noise.relative : 0.0;
  if (task) {
    for (const FeatureSpec& f : task->features) {
      features.push_back({{"name", f.name}, {"bins", f.bins}, {"lo", f.lo}, {"hi", f.hi}});
    }
    if (MultiObjective(*task)) {
      for (const ObjectiveSpec& o : task->objectives) {
        objectives.push_back(
            {{"name", o.name}, {"goal", o.goal == Goal::kMaximize ? "maximize" : "minimize"}});
      }
    }
  }
  out["features"] = features;
  out["objectives"] = objectives;
  out["front"] = task ? json(RunFront(*task, all)) : json::array();
}

json IslandsJson(archive::Archive& archive) {
  json islands = json::array();
  absl::StatusOr<std::optional<std::string>> state = archive.GetRunState();
  if (!state.ok() || !*state) return islands;
  const json parsed = json::parse(**state, nullptr, false);
  if (!parsed.is_object()) return islands;
  const json population = parsed.value("population", json::object());
  for (const json& island : population.value("islands", json::array())) {
    islands.push_back(
        {{"grid", island.value("grid", json::array())}, {"best", island.value("best", json())}});
  }
  return islands;
}

json LlmCallsJson(archive::Archive& archive) {
  json calls = json::array();
  absl::StatusOr<std::vector<archive::LlmCall>> all = archive.ListLlmCalls(100000);
  if (!all.ok()) return calls;
  for (const archive::LlmCall& c : *all) {
    calls.push_back({{"id", c.id},
                     {"time", Unix(c.time)},
                     {"model", c.model},
                     {"outcome", c.outcome},
                     {"input_tokens", c.input_tokens},
                     {"output_tokens", c.output_tokens},
                     {"cost_usd", c.cost_usd},
                     {"latency_seconds", c.latency_seconds},
                     {"parent_id", OrNull(c.parent_id)}});
  }
  return calls;
}

// Seed first, this candidate last; stops at a cycle or a missing parent.
std::vector<int64_t> Lineage(const std::map<int64_t, archive::Candidate>& all, int64_t id) {
  std::vector<int64_t> path;
  std::set<int64_t> seen;
  for (auto it = all.find(id); it != all.end() && seen.insert(it->first).second;) {
    path.push_back(it->first);
    if (!it->second.parent_id) break;
    it = all.find(*it->second.parent_id);
  }
  std::reverse(path.begin(), path.end());
  return path;
}

}  // namespace

std::vector<ServedRun> FindServedRuns(const std::vector<fs::path>& dirs,
                                      const fs::path& runs_root) {
  std::vector<fs::path> found = dirs;
  if (found.empty()) {
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(runs_root, ec)) {
      if (fs::exists(PathsFor(entry.path()).db)) found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end(), [](const fs::path& a, const fs::path& b) {
      std::error_code e1, e2;
      return fs::last_write_time(a, e1) > fs::last_write_time(b, e2);
    });
  }
  std::vector<ServedRun> runs;
  std::set<std::string> keys;
  for (const fs::path& dir : found) {
    std::string base =
        dir.filename().empty() ? dir.parent_path().filename().string() : dir.filename().string();
    std::string key = base;
    for (int n = 2; !keys.insert(key).second; ++n) key = absl::StrCat(base, "-", n);
    runs.push_back({key, dir});
  }
  return runs;
}

json RunsJson(const std::vector<ServedRun>& runs) {
  json out = json::array();
  for (const ServedRun& run : runs) {
    absl::StatusOr<OpenedRun> opened = Open(run);
    if (!opened.ok()) continue;  // not a run (yet): skipped, not an error
    archive::ListOptions best{.scored_only = true, .best_first = true, .limit = 1};
    absl::StatusOr<std::vector<archive::Candidate>> top = opened->archive->ListCandidates(best);
    absl::StatusOr<int64_t> count = opened->archive->CountCandidates();
    json entry = {{"key", run.key},
                  {"dir", run.dir.string()},
                  {"task", opened->info.task_name},
                  {"goal", opened->info.goal},
                  {"running", ControllerRunning(opened->paths)},
                  {"candidates", count.ok() ? *count : 0},
                  {"created", Unix(opened->info.created_at)},
                  {"best_id", nullptr},
                  {"best_fitness", nullptr}};
    if (top.ok() && !top->empty()) {
      entry["best_id"] = top->front().id;
      entry["best_fitness"] = OrNull(top->front().fitness);
    }
    out.push_back(std::move(entry));
  }
  return out;
}

absl::StatusOr<json> RunJson(const ServedRun& run) {
  CAMBRIAN_ASSIGN_OR_RETURN(OpenedRun opened, Open(run));
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<archive::Candidate> all,
                            opened.archive->ListCandidates({.best_first = true}));
  json out = {{"key", run.key},
              {"dir", run.dir.string()},
              {"task", opened.info.task_name},
              {"goal", opened.info.goal},
              {"running", ControllerRunning(opened.paths)},
              {"created", Unix(opened.info.created_at)},
              {"best_id", nullptr},
              {"best_fitness", nullptr},
              {"candidates", json::array()}};
  for (const archive::Candidate& c : all) {
    if (c.fitness && out["best_id"].is_null()) {
      out["best_id"] = c.id;
      out["best_fitness"] = *c.fitness;
    }
    out["candidates"].push_back(BriefJson(c));
  }
  AddTaskFacts(opened.info, all, out);
  out["islands"] = IslandsJson(*opened.archive);
  out["llm_calls"] = LlmCallsJson(*opened.archive);
  return out;
}

absl::StatusOr<json> CandidateDetailJson(const ServedRun& run, int64_t id) {
  CAMBRIAN_ASSIGN_OR_RETURN(OpenedRun opened, Open(run));
  CAMBRIAN_ASSIGN_OR_RETURN(archive::Candidate c, GetCandidateOrExplain(*opened.archive, id));
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<archive::Candidate> list,
                            opened.archive->ListCandidates({}));
  std::map<int64_t, archive::Candidate> all;
  for (archive::Candidate& other : list) all.emplace(other.id, std::move(other));
  json out = {{"candidate", BriefJson(c)}, {"stages", json::array()}, {"lineage", Lineage(all, id)},
              {"diff_parent", ""},         {"diff_seed", ""},         {"llm_call", nullptr}};
  out["candidate"]["feedback"] = c.feedback;
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<archive::StageRecord> stages,
                            opened.archive->GetStages(id));
  for (const archive::StageRecord& s : stages) {
    out["stages"].push_back({{"stage", s.stage},
                             {"outcome", std::string(OutcomeName(s.outcome))},
                             {"exit_code", s.exit_code},
                             {"wall_seconds", s.wall_seconds},
                             {"cpu_seconds", s.cpu_seconds},
                             {"peak_rss_bytes", s.peak_rss_bytes},
                             {"output_tail", s.output_tail},
                             {"detail", s.detail}});
  }
  CAMBRIAN_ASSIGN_OR_RETURN(Program program, opened.archive->GetProgram(c.program_hash));
  if (c.parent_id && all.count(*c.parent_id)) {
    CAMBRIAN_ASSIGN_OR_RETURN(Program parent,
                              opened.archive->GetProgram(all.at(*c.parent_id).program_hash));
    out["diff_parent"] = UnifiedProgramDiff(parent, program);
  }
  const std::vector<int64_t> lineage = Lineage(all, id);
  if (lineage.front() != id) {
    CAMBRIAN_ASSIGN_OR_RETURN(Program seed,
                              opened.archive->GetProgram(all.at(lineage.front()).program_hash));
    out["diff_seed"] = UnifiedProgramDiff(seed, program);
  }
  if (c.llm_call_id) {
    absl::StatusOr<archive::LlmCall> call = opened.archive->GetLlmCall(*c.llm_call_id);
    if (call.ok()) {
      out["llm_call"] = {{"model", call->model},
                         {"outcome", call->outcome},
                         {"prompt", call->prompt},
                         {"response", call->response},
                         {"input_tokens", call->input_tokens},
                         {"output_tokens", call->output_tokens},
                         {"cost_usd", call->cost_usd}};
    }
  }
  return out;
}

}  // namespace cambrian::orchestrator
