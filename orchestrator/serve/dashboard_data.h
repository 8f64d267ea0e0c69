// What the dashboard shows, as JSON read from runs' databases (read-only,
// safe beside a live controller): the runs, one run (candidates, islands'
// grids, LLM calls) and one candidate (stages, diffs, lineage, its LLM
// call). `cambrian serve` answers its API with these; `cambrian report`
// embeds them in one file.
#ifndef CAMBRIAN_ORCHESTRATOR_SERVE_DASHBOARD_DATA_H_
#define CAMBRIAN_ORCHESTRATOR_SERVE_DASHBOARD_DATA_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace cambrian::orchestrator {

struct ServedRun {
  std::string key;  // in URLs: the directory's name, made unique
  std::filesystem::path dir;
};

// The given run directories, or (none given) every run under `runs_root`,
// newest first, each with a key.
std::vector<ServedRun> FindServedRuns(const std::vector<std::filesystem::path>& dirs,
                                      const std::filesystem::path& runs_root);

// [{key, dir, task, goal, running, candidates, best_id, best_fitness, created}]
nlohmann::json RunsJson(const std::vector<ServedRun>& runs);

// {key, dir, task, goal, noise, features, running, created, best_id,
//  best_fitness, candidates: [...], islands: [{grid, best}], llm_calls: [...]};
// times in Unix seconds.
absl::StatusOr<nlohmann::json> RunJson(const ServedRun& run);

// {candidate, stages, lineage (ids from the seed), diff_parent, diff_seed,
//  llm_call (or null)}. NotFound for an id the run does not have.
absl::StatusOr<nlohmann::json> CandidateDetailJson(const ServedRun& run, int64_t id);

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_SERVE_DASHBOARD_DATA_H_
