#include "orchestrator/run_config.h"

#include <nlohmann/json.hpp>

#include "common/status_macros.h"

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
      {"patience", nullptr},
      {"population",
       {{"islands", config.population.islands},
        {"island_size", config.population.island_size},
        {"elite_size", config.population.elite_size},
        {"exploit_rate", config.population.exploit_rate},
        {"explore_rate", config.population.explore_rate},
        {"tournament_size", config.population.tournament_size},
        {"migration_interval", config.population.migration_interval},
        {"reseed_after", config.population.reseed_after}}},
      {"crossover_rate", config.crossover_rate},
      {"proposal_attempts", config.proposal_attempts},
      {"keep_job_dirs", config.keep_job_dirs},
      {"seed_may_fail", config.seed_may_fail},
      {"sandbox", config.sandbox},
      {"profile", config.profile},
      {"executor", config.executor},
      {"slurm",
       {{"mode", config.slurm.mode},
        {"host", config.slurm.host},
        {"partition", config.slurm.partition},
        {"account", config.slurm.account},
        {"qos", config.slurm.qos},
        {"gres", config.slurm.gres},
        {"constraint", config.slurm.constraint},
        {"time_limit_seconds", absl::ToDoubleSeconds(config.slurm.time_limit)},
        {"pending_limit_seconds", absl::ToDoubleSeconds(config.slurm.pending_limit)},
        {"extra_args", config.slurm.extra_args}}},
      {"mutator_weights", config.mutator_weights},
      {"repair_rate", config.repair_rate},
      {"llm_concurrency", config.llm_concurrency},
      {"llm_share", config.llm_share},
      {"llm_novelty", config.llm_novelty},
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
                      {"connect_timeout_seconds", absl::ToDoubleSeconds(model.connect_timeout)},
                      {"max_retries", model.max_retries},
                      {"usd_per_million_input", model.usd_per_million_input},
                      {"usd_per_million_output", model.usd_per_million_output},
                      {"max_prompt_bytes", model.max_prompt_bytes},
                      {"context_tokens", model.context_tokens},
                      {"stop", model.stop},
                      {"grammar", mutators::GrammarUseName(model.grammar)}});
  }
  json["llm"] = {{"models", models},
                 {"replay", config.llm.replay},
                 {"replay_from", config.llm.replay_from.string()},
                 {"max_cost_usd", nullptr},
                 {"max_tokens", nullptr},
                 {"prompts_dir", config.llm.prompts_dir.string()},
                 {"diff_weight", config.llm.diff_weight},
                 {"selection", config.llm.selection},
                 {"embeddings",
                  {{"base_url", config.llm.embeddings.base_url},
                   {"model", config.llm.embeddings.model},
                   {"key_env", config.llm.embeddings.key_env}}},
                 {"rewrite_weight", config.llm.rewrite_weight}};
  if (config.llm.max_cost_usd) json["llm"]["max_cost_usd"] = *config.llm.max_cost_usd;
  if (config.llm.max_tokens) json["llm"]["max_tokens"] = *config.llm.max_tokens;
  if (config.max_evaluations) json["max_evaluations"] = *config.max_evaluations;
  if (config.patience) json["patience"] = *config.patience;
  if (config.max_wall_time) {
    json["max_wall_seconds"] = absl::ToDoubleSeconds(*config.max_wall_time);
  }
  return json.dump();
}

namespace {

using nlohmann::json;

absl::StatusOr<mutators::ModelConfig> ModelFromJson(const json& entry) {
  if (!entry.is_object()) return absl::DataLossError("a stored model is not an object");
  CAMBRIAN_ASSIGN_OR_RETURN(
      mutators::ModelConfig model,
      mutators::ParseModelFlag(entry.value("provider", "") + ":" + entry.value("model", "")));
  model.weight = entry.value("weight", model.weight);
  model.base_url = entry.value("base_url", model.base_url);
  model.key_env = entry.value("key_env", model.key_env);
  model.temperature = entry.value("temperature", model.temperature);
  model.max_tokens = entry.value("max_tokens", model.max_tokens);
  model.timeout = absl::Seconds(entry.value("timeout_seconds", 300.0));
  model.connect_timeout = absl::Seconds(
      entry.value("connect_timeout_seconds", absl::ToDoubleSeconds(model.connect_timeout)));
  model.max_retries = entry.value("max_retries", model.max_retries);
  model.usd_per_million_input = entry.value("usd_per_million_input", 0.0);
  model.usd_per_million_output = entry.value("usd_per_million_output", 0.0);
  model.max_prompt_bytes = entry.value("max_prompt_bytes", model.max_prompt_bytes);
  model.context_tokens = entry.value("context_tokens", model.context_tokens);
  model.grammar = mutators::ParseGrammarUse(entry.value("grammar", "auto"))
                      .value_or(mutators::GrammarUse::kAuto);
  if (auto stop = entry.find("stop"); stop != entry.end() && stop->is_array()) {
    for (const json& text : *stop) {
      if (text.is_string()) model.stop.push_back(text.get<std::string>());
    }
  }
  return model;
}

absl::Status LlmFromJson(const json& llm, LlmRunConfig& config) {
  if (!llm.is_object()) return absl::OkStatus();
  for (const json& entry : llm.value("models", json::array())) {
    CAMBRIAN_ASSIGN_OR_RETURN(mutators::ModelConfig model, ModelFromJson(entry));
    config.models.push_back(std::move(model));
  }
  if (const json embeddings = llm.value("embeddings", json()); embeddings.is_object()) {
    config.embeddings.base_url = embeddings.value("base_url", "");
    config.embeddings.model = embeddings.value("model", "");
    config.embeddings.key_env = embeddings.value("key_env", "");
  }
  config.replay = llm.value("replay", false);
  config.replay_from = llm.value("replay_from", std::string());
  if (llm.contains("max_cost_usd") && llm["max_cost_usd"].is_number()) {
    config.max_cost_usd = llm["max_cost_usd"].get<double>();
  }
  if (llm.contains("max_tokens") && llm["max_tokens"].is_number()) {
    config.max_tokens = llm["max_tokens"].get<int64_t>();
  }
  config.prompts_dir = llm.value("prompts_dir", std::string());
  config.diff_weight = llm.value("diff_weight", config.diff_weight);
  config.selection = llm.value("selection", config.selection);
  config.rewrite_weight = llm.value("rewrite_weight", config.rewrite_weight);
  return absl::OkStatus();
}

void SlurmFromJson(const json& stored, SlurmRunConfig& config) {
  if (!stored.is_object()) return;
  config.mode = stored.value("mode", config.mode);
  config.host = stored.value("host", "");
  config.partition = stored.value("partition", "");
  config.account = stored.value("account", "");
  config.qos = stored.value("qos", "");
  config.gres = stored.value("gres", "");
  config.constraint = stored.value("constraint", "");
  config.time_limit = absl::Seconds(stored.value("time_limit_seconds", 0.0));
  config.pending_limit = absl::Seconds(
      stored.value("pending_limit_seconds", absl::ToDoubleSeconds(config.pending_limit)));
  config.extra_args = stored.value("extra_args", std::vector<std::string>());
}

// Runs stored before islands existed get the defaults.
void PopulationFromJson(const json& stored, PopulationConfig& config) {
  if (!stored.is_object()) return;
  config.islands = stored.value("islands", config.islands);
  config.island_size = stored.value("island_size", config.island_size);
  config.elite_size = stored.value("elite_size", config.elite_size);
  config.exploit_rate = stored.value("exploit_rate", config.exploit_rate);
  config.explore_rate = stored.value("explore_rate", config.explore_rate);
  config.tournament_size = stored.value("tournament_size", config.tournament_size);
  config.migration_interval = stored.value("migration_interval", config.migration_interval);
  config.reseed_after = stored.value("reseed_after", config.reseed_after);
}

}  // namespace

absl::StatusOr<RunConfig> RunConfigFromJson(const std::string& text) {
  json stored = json::parse(text, nullptr, false);
  if (!stored.is_object()) return absl::DataLossError("the stored run configuration is not JSON");
  try {
    RunConfig config;
    config.task_dir = stored.value("task_dir", std::string());
    config.run_dir = stored.value("run_dir", std::string());
    config.workers = stored.value("workers", config.workers);
    if (stored.value("max_evaluations", json()).is_number()) {
      config.max_evaluations = stored["max_evaluations"].get<int64_t>();
    }
    if (stored.value("max_wall_seconds", json()).is_number()) {
      config.max_wall_time = absl::Seconds(stored["max_wall_seconds"].get<double>());
    }
    config.seed = stored.value("seed", config.seed);
    config.strategy = stored.value("strategy", config.strategy);
    if (stored.value("patience", json()).is_number()) {
      config.patience = stored["patience"].get<int64_t>();
    }
    PopulationFromJson(stored.value("population", json()), config.population);
    config.crossover_rate = stored.value("crossover_rate", config.crossover_rate);
    config.proposal_attempts = stored.value("proposal_attempts", config.proposal_attempts);
    config.keep_job_dirs = stored.value("keep_job_dirs", config.keep_job_dirs);
    config.seed_may_fail = stored.value("seed_may_fail", config.seed_may_fail);
    config.sandbox = stored.value("sandbox", config.sandbox);
    config.profile = stored.value("profile", config.profile);
    config.executor = stored.value("executor", config.executor);
    SlurmFromJson(stored.value("slurm", json()), config.slurm);
    config.mutator_weights = stored.value("mutator_weights", std::map<std::string, double>());
    config.repair_rate = stored.value("repair_rate", config.repair_rate);
    config.llm_concurrency = stored.value("llm_concurrency", config.llm_concurrency);
    config.llm_share = stored.value("llm_share", config.llm_share);
    config.llm_novelty = stored.value("llm_novelty", config.llm_novelty);
    CAMBRIAN_RETURN_IF_ERROR(LlmFromJson(stored.value("llm", json()), config.llm));
    return config;
  } catch (const json::exception& error) {
    return absl::DataLossError(std::string("the stored run configuration is damaged: ") +
                               error.what());
  }
}

}  // namespace cambrian::orchestrator
