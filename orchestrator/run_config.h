// The effective configuration of one search run, filled from flags by the
// `run` command and stored with the run (as JSON) so it can be shown later.
#ifndef CAMBRIAN_ORCHESTRATOR_RUN_CONFIG_H_
#define CAMBRIAN_ORCHESTRATOR_RUN_CONFIG_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "absl/time/time.h"

namespace cambrian::orchestrator {

struct RunConfig {
  std::filesystem::path task_dir;
  std::filesystem::path run_dir;
  int workers = 2;                              // parallel job slots
  std::optional<int64_t> max_evaluations;       // candidates evaluated, seed included
  std::optional<absl::Duration> max_wall_time;  // stop dispatching after this long
  uint64_t seed = 1;                            // every random choice derives from it
  int tournament_size = 3;
  double crossover_rate = 0.2;  // share of proposals made by crossover once 2 parents exist
  int proposal_attempts = 50;   // tries to find a new, allowed child before giving up
  bool keep_job_dirs = false;
};

// JSON object text with every field (durations in seconds, absent = null).
std::string RunConfigToJson(const RunConfig& config);

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_RUN_CONFIG_H_
