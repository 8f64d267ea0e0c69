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
      {"strategy", config.strategy},
      {"tournament_size", config.tournament_size},
      {"crossover_rate", config.crossover_rate},
      {"proposal_attempts", config.proposal_attempts},
      {"keep_job_dirs", config.keep_job_dirs},
      {"mutator_weights", config.mutator_weights},
      {"repair_rate", config.repair_rate},
      {"llm_concurrency", config.llm_concurrency},
  };
  nlohmann::json models = nlohmann::json::array();
  for (const mutators::ModelConfig& model : config.llm.models) {
    // The key's variable name is configuration; its value never is.
    models.push_back({{"provider", mutators::ProviderName(model.provider)},
                      {"model", model.model},
                      {"weight", model.weight},
                      {"base_url", model.base_url},
                      {"key_env", model.key_env},
                      {"temperature", model.temperature},
                      {"max_tokens", model.max_tokens},
                      {"timeout_seconds", absl::ToDoubleSeconds(model.timeout)},
                      {"usd_per_million_input", model.usd_per_million_input},
                      {"usd_per_million_output", model.usd_per_million_output}});
  }
  json["llm"] = {{"models", models},
                 {"replay", config.llm.replay},
                 {"replay_from", config.llm.replay_from.string()},
                 {"max_cost_usd", nullptr},
                 {"max_tokens", nullptr},
                 {"prompts_dir", config.llm.prompts_dir.string()},
                 {"diff_weight", config.llm.diff_weight},
                 {"rewrite_weight", config.llm.rewrite_weight}};
  if (config.llm.max_cost_usd) json["llm"]["max_cost_usd"] = *config.llm.max_cost_usd;
  if (config.llm.max_tokens) json["llm"]["max_tokens"] = *config.llm.max_tokens;
  if (config.max_evaluations) json["max_evaluations"] = *config.max_evaluations;
  if (config.max_wall_time) {
    json["max_wall_seconds"] = absl::ToDoubleSeconds(*config.max_wall_time);
  }
  return json.dump();
}

}  // namespace cambrian::orchestrator
