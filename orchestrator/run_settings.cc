#include "orchestrator/run_settings.h"

namespace cambrian::orchestrator {
namespace {

constexpr RunSetting kSettings[] = {
    {"task", "", "task_dir", "", "", "the task directory or built-in name"},
    {"--run-dir", "", "run_dir", "", "", "where the run is kept"},
    {"--resume", "", "", "", "", "continue the run in --run-dir"},
    {"--config", "", "", "", "llm.md", "the run config file"},
    {"--top", "", "", "", "", "leaderboard rows printed at the end"},
    {"--workers", "run.workers", "workers", "3", "search.md", "parallel job slots"},
    {"--budget", "run.budget", "max_evaluations", "17", "search.md", "evaluations"},
    {"--time", "run.time", "max_wall_seconds", "\"2h\"", "search.md", "wall-clock limit"},
    {"--patience", "run.patience", "patience", "40", "search.md", "evaluations without progress"},
    {"--seed", "run.seed", "seed", "7", "search.md", "seeds every random choice"},
    {"--strategy", "run.strategy", "strategy", "\"random\"", "search.md", "evolve or random"},
    {"--sandbox", "run.sandbox", "sandbox", "\"process\"", "search.md", "job isolation"},
    {"--profile", "", "profile", "", "search.md", "task profile"},
    {"--islands", "search.islands", "population.islands", "5", "search.md", "islands"},
    {"", "search.island_size", "population.island_size", "32", "search.md", "members per island"},
    {"", "search.elite_size", "population.elite_size", "8", "search.md", "elite archive"},
    {"", "search.exploit_rate", "population.exploit_rate", "0.5", "search.md", "exploit share"},
    {"", "search.explore_rate", "population.explore_rate", "0.3", "search.md", "explore share"},
    {"", "search.tournament_size", "population.tournament_size", "4", "search.md",
     "tournament size"},
    {"", "search.migration_interval", "population.migration_interval", "10", "search.md",
     "evaluations between migrations"},
    {"", "search.reseed_after", "population.reseed_after", "50", "search.md",
     "evaluations before an island is reseeded"},
    {"--weight", "mutators.weights", "mutator_weights", "{ knob = 2.0 }", "search.md",
     "mutator weights"},
    {"", "mutators.crossover_rate", "crossover_rate", "0.5", "search.md", "crossover share"},
    {"", "mutators.repair_rate", "repair_rate", "0.3", "search.md", "repair share"},
    {"", "", "proposal_attempts", "", "", "tries per slot to find a new child (fixed)"},
    {"--keep-jobs", "run.keep_jobs", "keep_job_dirs", "true", "search.md", "keep job dirs"},
    {"--llm-concurrency", "llm.concurrency", "llm_concurrency", "2", "search.md",
     "LLM requests in flight"},
    {"--max-cost", "llm.max_cost", "llm.max_cost_usd", "3.5", "search.md", "LLM spend cap"},
    {"--max-tokens", "llm.max_tokens", "llm.max_tokens", "100000", "search.md", "LLM token cap"},
    {"--llm", "llm.models", "llm.models", "", "llm.md", "the models"},
    {"", "", "llm.replay", "", "", "answer from a recorded run (--llm replay)"},
    {"--replay-from", "", "llm.replay_from", "", "llm.md", "the recorded run"},
    {"--prompts", "llm.prompts", "llm.prompts_dir", "\"mine\"", "llm.md", "prompt templates"},
    {"", "llm.diff_weight", "llm.diff_weight", "0.5", "llm.md", "share of diff edits"},
    {"", "llm.rewrite_weight", "llm.rewrite_weight", "0.5", "llm.md", "share of rewrites"},
    {"", "llm.models.provider", "llm.models[].provider", "\"anthropic\"", "llm.md", "provider"},
    {"", "llm.models.model", "llm.models[].model", "\"other\"", "llm.md", "model name"},
    {"", "llm.models.weight", "llm.models[].weight", "2.0", "llm.md", "share of LLM calls"},
    {"--llm-base-url", "llm.models.base_url", "llm.models[].base_url", "\"http://h:1/v1\"",
     "llm.md", "endpoint"},
    {"--llm-key-env", "llm.models.key_env", "llm.models[].key_env", "\"MY_KEY\"", "llm.md",
     "key variable"},
    {"--llm-temperature", "llm.models.temperature", "llm.models[].temperature", "0.1", "llm.md",
     "sampling temperature"},
    {"--llm-max-tokens", "llm.models.max_tokens", "llm.models[].max_tokens", "512", "llm.md",
     "output tokens per reply"},
    {"--llm-timeout", "llm.models.timeout", "llm.models[].timeout_seconds", "\"42s\"", "llm.md",
     "per-request timeout"},
    {"", "llm.models.connect_timeout", "llm.models[].connect_timeout_seconds", "\"3s\"", "llm.md",
     "connect timeout"},
    {"", "llm.models.max_retries", "llm.models[].max_retries", "2", "llm.md", "retries"},
    {"", "llm.models.price_input", "llm.models[].usd_per_million_input", "1.5", "llm.md",
     "input price"},
    {"", "llm.models.price_output", "llm.models[].usd_per_million_output", "6.0", "llm.md",
     "output price"},
    {"", "llm.models.max_prompt_bytes", "llm.models[].max_prompt_bytes", "4096", "llm.md",
     "prompt size cap"},
    {"", "llm.models.context_tokens", "llm.models[].context_tokens", "8192", "llm.md",
     "the model's context"},
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
