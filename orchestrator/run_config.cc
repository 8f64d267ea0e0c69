#include "orchestrator/run_config.h"

#include <nlohmann/json.hpp>

namespace cambrian::orchestrator {

std::string RunConfigToJson(const RunConfig& config) {
  nlohmann::json json = {
      {"task_dir", config.task_dir.string()},
      {"run_dir", config.run_dir.string()},
      {"workers", config.workers},
      {"max_evaluations", nullptr},
      {"max_wall_seconds", nullptr},
      {"seed", config.seed},
      {"tournament_size", config.tournament_size},
      {"crossover_rate", config.crossover_rate},
      {"proposal_attempts", config.proposal_attempts},
      {"keep_job_dirs", config.keep_job_dirs},
  };
  if (config.max_evaluations) json["max_evaluations"] = *config.max_evaluations;
  if (config.max_wall_time) {
    json["max_wall_seconds"] = absl::ToDoubleSeconds(*config.max_wall_time);
  }
  return json.dump();
}

}  // namespace cambrian::orchestrator
