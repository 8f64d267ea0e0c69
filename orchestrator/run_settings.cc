#include "orchestrator/run_settings.h"

namespace cambrian::orchestrator {
namespace {

constexpr RunSetting kSettings[] = {
    {"task", "", "task_dir", ""},
    {"--run-dir", "", "run_dir", ""},
    {"--resume", "", "", ""},
    {"--config", "", "", "llm.md"},
    {"--top", "", "", ""},
    {"--workers", "run.workers", "workers", "search.md"},
    {"--budget", "run.budget", "max_evaluations", "search.md"},
    {"--time", "run.time", "max_wall_seconds", "search.md"},
    {"--patience", "run.patience", "patience", "search.md"},
    {"--seed", "run.seed", "seed", "search.md"},
    {"--strategy", "run.strategy", "strategy", "search.md"},
    {"--sandbox", "run.sandbox", "sandbox", "search.md"},
    {"--profile", "", "profile", "search.md"},
    {"--executor", "run.executor", "executor", "slurm.md"},
    {"--slurm-mode", "slurm.mode", "slurm.mode", "slurm.md"},
    {"--slurm-host", "slurm.host", "slurm.host", "slurm.md"},
    {"--slurm-partition", "slurm.partition", "slurm.partition", "slurm.md"},
    {"--slurm-account", "slurm.account", "slurm.account", "slurm.md"},
    {"--slurm-qos", "slurm.qos", "slurm.qos", "slurm.md"},
    {"--slurm-gres", "slurm.gres", "slurm.gres", "slurm.md"},
    {"--slurm-constraint", "slurm.constraint", "slurm.constraint", "slurm.md"},
    {"--slurm-time", "slurm.time", "slurm.time_limit_seconds", "slurm.md"},
    {"--slurm-pending-limit", "slurm.pending_limit", "slurm.pending_limit_seconds", "slurm.md"},
    {"--slurm-arg", "slurm.extra_args", "slurm.extra_args", "slurm.md"},
    {"--islands", "search.islands", "population.islands", "search.md"},
    {"", "search.island_size", "population.island_size", "search.md"},
    {"", "search.elite_size", "population.elite_size", "search.md"},
    {"", "search.exploit_rate", "population.exploit_rate", "search.md"},
    {"", "search.explore_rate", "population.explore_rate", "search.md"},
    {"", "search.tournament_size", "population.tournament_size", "search.md"},
    {"", "search.migration_interval", "population.migration_interval", "search.md"},
    {"", "search.reseed_after", "population.reseed_after", "search.md"},
    {"--weight", "mutators.weights", "mutator_weights", "search.md"},
    {"", "mutators.crossover_rate", "crossover_rate", "search.md"},
    {"", "mutators.repair_rate", "repair_rate", "search.md"},
    {"", "", "proposal_attempts", ""},  // fixed: tries per slot to find a new child
    {"--keep-jobs", "run.keep_jobs", "keep_job_dirs", "search.md"},
    {"--seed-may-fail", "run.seed_may_fail", "seed_may_fail", "search.md"},
    {"--notify", "run.notify", "", "search.md"},  // not stored: often a secret
    {"--notify-cmd", "run.notify_cmd", "", "search.md"},
    {"--llm-concurrency", "llm.concurrency", "llm_concurrency", "search.md"},
    {"--llm-share", "llm.share", "llm_share", "search.md"},
    {"--llm-novelty", "llm.novelty", "llm_novelty", "llm.md"},
    {"--max-cost", "llm.max_cost", "llm.max_cost_usd", "search.md"},
    {"--max-tokens", "llm.max_tokens", "llm.max_tokens", "search.md"},
    {"--llm", "llm.models", "llm.models", "llm.md"},
    {"", "", "llm.replay", ""},  // set by `--llm replay`
    {"--replay-from", "", "llm.replay_from", "llm.md"},
    {"--prompts", "llm.prompts", "llm.prompts_dir", "llm.md"},
    {"--llm-selection", "llm.selection", "llm.selection", "llm.md"},
    {"--llm-embeddings", "llm.embeddings", "llm.embeddings.base_url", "llm.md"},
    {"--llm-embeddings-model", "llm.embeddings_model", "llm.embeddings.model", "llm.md"},
    {"", "llm.embeddings_key_env", "llm.embeddings.key_env", "llm.md"},
    {"", "llm.diff_weight", "llm.diff_weight", "llm.md"},
    {"", "llm.rewrite_weight", "llm.rewrite_weight", "llm.md"},
    {"", "llm.models.provider", "llm.models[].provider", "llm.md"},
    {"", "llm.models.model", "llm.models[].model", "llm.md"},
    {"", "llm.models.weight", "llm.models[].weight", "llm.md"},
    {"--llm-base-url", "llm.models.base_url", "llm.models[].base_url", "llm.md"},
    {"--llm-key-env", "llm.models.key_env", "llm.models[].key_env", "llm.md"},
    {"--llm-temperature", "llm.models.temperature", "llm.models[].temperature", "llm.md"},
    {"--llm-max-tokens", "llm.models.max_tokens", "llm.models[].max_tokens", "llm.md"},
    {"--llm-timeout", "llm.models.timeout", "llm.models[].timeout_seconds", "llm.md"},
    {"", "llm.models.connect_timeout", "llm.models[].connect_timeout_seconds", "llm.md"},
    {"", "llm.models.max_retries", "llm.models[].max_retries", "llm.md"},
    {"", "llm.models.price_input", "llm.models[].usd_per_million_input", "llm.md"},
    {"", "llm.models.price_output", "llm.models[].usd_per_million_output", "llm.md"},
    {"", "llm.models.max_prompt_bytes", "llm.models[].max_prompt_bytes", "llm.md"},
    {"", "llm.models.context_tokens", "llm.models[].context_tokens", "llm.md"},
    {"", "llm.models.stop", "llm.models[].stop", "llm.md"},
    {"--llm-grammar", "llm.models.grammar", "llm.models[].grammar", "llm.md"},
};

}  // namespace

std::span<const RunSetting> RunSettings() { return kSettings; }

std::set<std::string> TomlKeysOf(std::string_view table) {
  std::set<std::string> keys;
  const std::string prefix = std::string(table) + ".";
  for (const RunSetting& setting : kSettings) {
    std::string_view key = setting.toml;
    if (table.empty()) {
      keys.insert(std::string(key.substr(0, key.find('.'))));
      continue;
    }
    if (key.substr(0, prefix.size()) != prefix) continue;
    key.remove_prefix(prefix.size());
    keys.insert(std::string(key.substr(0, key.find('.'))));
  }
  keys.erase("");
  return keys;
}

}  // namespace cambrian::orchestrator
