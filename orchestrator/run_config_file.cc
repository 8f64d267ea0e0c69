// LoadRunConfigFile: the TOML run config, read with the one TOML reader
// (common/toml_table.h); the keys each table allows come from the settings
// table (orchestrator/run_settings.h).
#include <toml++/toml.h>

#include <type_traits>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/toml_table.h"
#include "common/units.h"
#include "orchestrator/run_config.h"
#include "orchestrator/run_settings.h"

namespace cambrian::orchestrator {
namespace {

// Refuses a key the settings table does not give to `name` ("run", ...).
absl::Status OnlyKeysOf(const TomlTable& table, std::string_view name) {
  const std::set<std::string> keys = TomlKeysOf(name);
  return table.AllowOnly(std::vector<std::string_view>(keys.begin(), keys.end()));
}

// Sets `out` from `key` when the key is present; a wrong type is an error
// naming the file, the line and the key.
template <typename T>
absl::Status Read(TomlTable& table, std::string_view key, T& out) {
  if constexpr (std::is_same_v<T, std::string>) {
    CAMBRIAN_ASSIGN_OR_RETURN(std::optional<std::string> value,
                              table.OptionalString(key, "a string"));
    if (value) out = *value;
  } else if constexpr (std::is_same_v<T, bool>) {
    CAMBRIAN_ASSIGN_OR_RETURN(std::optional<bool> value, table.OptionalBool(key, "true or false"));
    if (value) out = *value;
  } else if constexpr (std::is_integral_v<T>) {
    CAMBRIAN_ASSIGN_OR_RETURN(std::optional<int64_t> value,
                              table.OptionalInteger(key, "an integer"));
    if (value) out = static_cast<T>(*value);
  } else {
    CAMBRIAN_ASSIGN_OR_RETURN(std::optional<double> value, table.OptionalNumber(key, "a number"));
    if (value) out = *value;
  }
  return absl::OkStatus();
}

absl::Status ReadDuration(TomlTable& table, std::string_view key, absl::Duration& out) {
  std::string text;
  CAMBRIAN_RETURN_IF_ERROR(Read(table, key, text));
  if (text.empty()) return absl::OkStatus();
  absl::StatusOr<absl::Duration> parsed = ParseDuration(text);
  if (!parsed.ok()) return table.Error(key, std::string(parsed.status().message()));
  out = *parsed;
  return absl::OkStatus();
}

absl::Status ReadRun(TomlTable run, RunConfig& config) {
  CAMBRIAN_RETURN_IF_ERROR(OnlyKeysOf(run, "run"));
  CAMBRIAN_RETURN_IF_ERROR(Read(run, "sandbox", config.sandbox));
  CAMBRIAN_RETURN_IF_ERROR(Read(run, "executor", config.executor));
  if (config.executor != "local" && config.executor != "slurm") {
    return run.Error("executor", "must be \"local\" or \"slurm\"");
  }
  CAMBRIAN_RETURN_IF_ERROR(Read(run, "strategy", config.strategy));
  CAMBRIAN_RETURN_IF_ERROR(Read(run, "workers", config.workers));
  CAMBRIAN_RETURN_IF_ERROR(Read(run, "seed", config.seed));
  CAMBRIAN_RETURN_IF_ERROR(Read(run, "keep_jobs", config.keep_job_dirs));
  CAMBRIAN_RETURN_IF_ERROR(Read(run, "seed_may_fail", config.seed_may_fail));
  CAMBRIAN_RETURN_IF_ERROR(Read(run, "notify", config.notify_url));
  CAMBRIAN_RETURN_IF_ERROR(Read(run, "notify_cmd", config.notify_cmd));
  if (run.Find("patience")) {
    int64_t patience = 0;
    CAMBRIAN_RETURN_IF_ERROR(Read(run, "patience", patience));
    if (patience < 1) return run.Error("patience", "must be at least 1");
    config.patience = patience;
  }
  if (run.Find("budget")) {
    int64_t budget = 0;
    CAMBRIAN_RETURN_IF_ERROR(Read(run, "budget", budget));
    if (budget < 1) return run.Error("budget", "must be at least 1");
    config.max_evaluations = budget;
  }
  absl::Duration time = absl::ZeroDuration();
  CAMBRIAN_RETURN_IF_ERROR(ReadDuration(run, "time", time));
  if (time > absl::ZeroDuration()) config.max_wall_time = time;
  return absl::OkStatus();
}

absl::Status ReadSlurm(TomlTable slurm, SlurmRunConfig& config) {
  CAMBRIAN_RETURN_IF_ERROR(OnlyKeysOf(slurm, "slurm"));
  CAMBRIAN_RETURN_IF_ERROR(Read(slurm, "mode", config.mode));
  if (config.mode != "jobs" && config.mode != "workers") {
    return slurm.Error("mode", "must be \"jobs\" or \"workers\"");
  }
  CAMBRIAN_RETURN_IF_ERROR(Read(slurm, "host", config.host));
  CAMBRIAN_RETURN_IF_ERROR(Read(slurm, "partition", config.partition));
  CAMBRIAN_RETURN_IF_ERROR(Read(slurm, "account", config.account));
  CAMBRIAN_RETURN_IF_ERROR(Read(slurm, "qos", config.qos));
  CAMBRIAN_RETURN_IF_ERROR(Read(slurm, "gres", config.gres));
  CAMBRIAN_RETURN_IF_ERROR(Read(slurm, "constraint", config.constraint));
  CAMBRIAN_RETURN_IF_ERROR(ReadDuration(slurm, "time", config.time_limit));
  CAMBRIAN_RETURN_IF_ERROR(ReadDuration(slurm, "pending_limit", config.pending_limit));
  if (config.pending_limit <= absl::ZeroDuration()) {
    return slurm.Error("pending_limit", "must be above 0");
  }
  if (slurm.Find("extra_args") == nullptr) return absl::OkStatus();
  constexpr std::string_view kExpected = "an array of sbatch arguments";
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::array* args, slurm.Array("extra_args", kExpected));
  for (const toml::node& node : *args) {
    const std::optional<std::string> arg = node.value<std::string>();
    if (!arg || arg->empty()) return slurm.WrongType("extra_args", kExpected);
    config.extra_args.push_back(*arg);
  }
  return absl::OkStatus();
}

absl::Status ReadSearch(TomlTable search, PopulationConfig& config) {
  CAMBRIAN_RETURN_IF_ERROR(OnlyKeysOf(search, "search"));
  CAMBRIAN_RETURN_IF_ERROR(Read(search, "islands", config.islands));
  CAMBRIAN_RETURN_IF_ERROR(Read(search, "island_size", config.island_size));
  CAMBRIAN_RETURN_IF_ERROR(Read(search, "elite_size", config.elite_size));
  CAMBRIAN_RETURN_IF_ERROR(Read(search, "exploit_rate", config.exploit_rate));
  CAMBRIAN_RETURN_IF_ERROR(Read(search, "explore_rate", config.explore_rate));
  CAMBRIAN_RETURN_IF_ERROR(Read(search, "tournament_size", config.tournament_size));
  CAMBRIAN_RETURN_IF_ERROR(Read(search, "migration_interval", config.migration_interval));
  CAMBRIAN_RETURN_IF_ERROR(Read(search, "reseed_after", config.reseed_after));
  absl::Status valid = CheckPopulationConfig(config);
  if (!valid.ok()) return search.Error("", std::string(valid.message()));
  return absl::OkStatus();
}

absl::Status ReadMutators(const std::string& file, TomlTable mutators, RunConfig& config) {
  CAMBRIAN_RETURN_IF_ERROR(OnlyKeysOf(mutators, "mutators"));
  CAMBRIAN_RETURN_IF_ERROR(Read(mutators, "crossover_rate", config.crossover_rate));
  CAMBRIAN_RETURN_IF_ERROR(Read(mutators, "repair_rate", config.repair_rate));
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::table* weights,
                            mutators.OptionalTable("weights", "a table of NAME = WEIGHT"));
  if (weights == nullptr) return absl::OkStatus();
  TomlTable reader(*weights, "mutators.weights", file);
  for (const auto& [name, node] : *weights) {
    double weight = 0;
    CAMBRIAN_RETURN_IF_ERROR(Read(reader, name.str(), weight));
    config.mutator_weights[std::string(name.str())] = weight;
  }
  return absl::OkStatus();
}

// `stop`: up to 4 non-empty strings (the most OpenAI's API takes).
absl::Status ReadStop(TomlTable& entry, std::vector<std::string>& out) {
  if (entry.Find("stop") == nullptr) return absl::OkStatus();
  constexpr std::string_view kExpected = "an array of up to 4 non-empty strings";
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::array* stop, entry.Array("stop", kExpected));
  if (stop->size() > 4) return entry.WrongType("stop", kExpected);
  for (const toml::node& node : *stop) {
    const std::optional<std::string> text = node.value<std::string>();
    if (!text || text->empty()) return entry.WrongType("stop", kExpected);
    out.push_back(*text);
  }
  return absl::OkStatus();
}

absl::Status ReadModel(TomlTable entry, mutators::ModelConfig& model) {
  CAMBRIAN_RETURN_IF_ERROR(OnlyKeysOf(entry, "llm.models"));
  std::string provider, name;
  CAMBRIAN_RETURN_IF_ERROR(Read(entry, "provider", provider));
  CAMBRIAN_RETURN_IF_ERROR(Read(entry, "model", name));
  absl::StatusOr<mutators::ModelConfig> parsed =
      mutators::ParseModelFlag(absl::StrCat(provider, ":", name));
  if (!parsed.ok()) return entry.Error("model", std::string(parsed.status().message()));
  model = *parsed;
  CAMBRIAN_RETURN_IF_ERROR(Read(entry, "weight", model.weight));
  CAMBRIAN_RETURN_IF_ERROR(Read(entry, "base_url", model.base_url));
  CAMBRIAN_RETURN_IF_ERROR(Read(entry, "key_env", model.key_env));
  CAMBRIAN_RETURN_IF_ERROR(Read(entry, "temperature", model.temperature));
  CAMBRIAN_RETURN_IF_ERROR(Read(entry, "max_tokens", model.max_tokens));
  CAMBRIAN_RETURN_IF_ERROR(Read(entry, "max_retries", model.max_retries));
  CAMBRIAN_RETURN_IF_ERROR(ReadDuration(entry, "timeout", model.timeout));
  CAMBRIAN_RETURN_IF_ERROR(ReadDuration(entry, "connect_timeout", model.connect_timeout));
  CAMBRIAN_RETURN_IF_ERROR(Read(entry, "price_input", model.usd_per_million_input));
  CAMBRIAN_RETURN_IF_ERROR(Read(entry, "price_output", model.usd_per_million_output));
  CAMBRIAN_RETURN_IF_ERROR(Read(entry, "max_prompt_bytes", model.max_prompt_bytes));
  CAMBRIAN_RETURN_IF_ERROR(Read(entry, "context_tokens", model.context_tokens));
  if (model.max_prompt_bytes < 1024) {
    return entry.Error("max_prompt_bytes", "must be at least 1024");
  }
  if (model.context_tokens < 0) return entry.Error("context_tokens", "must be 0 or more");
  std::string grammar = mutators::GrammarUseName(model.grammar);
  CAMBRIAN_RETURN_IF_ERROR(Read(entry, "grammar", grammar));
  absl::StatusOr<mutators::GrammarUse> use = mutators::ParseGrammarUse(grammar);
  if (!use.ok()) return entry.Error("grammar", "must be \"auto\", \"on\" or \"off\"");
  model.grammar = *use;
  return ReadStop(entry, model.stop);
}

absl::Status ReadLlm(const std::filesystem::path& path, TomlTable llm, RunConfig& config) {
  CAMBRIAN_RETURN_IF_ERROR(OnlyKeysOf(llm, "llm"));
  CAMBRIAN_RETURN_IF_ERROR(Read(llm, "concurrency", config.llm_concurrency));
  CAMBRIAN_RETURN_IF_ERROR(Read(llm, "share", config.llm_share));
  CAMBRIAN_RETURN_IF_ERROR(Read(llm, "novelty", config.llm_novelty));
  if (!(config.llm_novelty > 0 && config.llm_novelty <= 1)) {
    return llm.Error("novelty", "must be above 0 and at most 1");
  }
  if (!(config.llm_share >= 0 && config.llm_share <= 1)) {
    return llm.Error("share", "must be between 0 and 1");
  }
  double max_cost = -1;
  CAMBRIAN_RETURN_IF_ERROR(Read(llm, "max_cost", max_cost));
  if (max_cost >= 0) config.llm.max_cost_usd = max_cost;
  int64_t max_tokens = -1;
  CAMBRIAN_RETURN_IF_ERROR(Read(llm, "max_tokens", max_tokens));
  if (max_tokens >= 0) config.llm.max_tokens = max_tokens;
  std::string prompts;
  CAMBRIAN_RETURN_IF_ERROR(Read(llm, "prompts", prompts));
  if (!prompts.empty()) config.llm.prompts_dir = path.parent_path() / prompts;
  CAMBRIAN_RETURN_IF_ERROR(Read(llm, "diff_weight", config.llm.diff_weight));
  CAMBRIAN_RETURN_IF_ERROR(Read(llm, "rewrite_weight", config.llm.rewrite_weight));
  CAMBRIAN_RETURN_IF_ERROR(Read(llm, "selection", config.llm.selection));
  CAMBRIAN_RETURN_IF_ERROR(Read(llm, "embeddings", config.llm.embeddings.base_url));
  CAMBRIAN_RETURN_IF_ERROR(Read(llm, "embeddings_model", config.llm.embeddings.model));
  CAMBRIAN_RETURN_IF_ERROR(Read(llm, "embeddings_key_env", config.llm.embeddings.key_env));
  if (config.llm.selection != "weights" && config.llm.selection != "bandit") {
    return llm.Error("selection", "must be \"weights\" or \"bandit\"");
  }
  if (llm.Find("models") == nullptr) return absl::OkStatus();
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::array* models,
                            llm.Array("models", "[[llm.models]] tables"));
  for (size_t i = 0; i < models->size(); ++i) {
    const toml::table* table = (*models)[i].as_table();
    if (table == nullptr) return llm.WrongType("models", "[[llm.models]] tables");
    mutators::ModelConfig model;
    CAMBRIAN_RETURN_IF_ERROR(
        ReadModel(TomlTable(*table, absl::StrCat("llm.models[", i, "]"), path.string()), model));
    config.llm.models.push_back(std::move(model));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status LoadRunConfigFile(const std::filesystem::path& path, RunConfig& config) {
  CAMBRIAN_ASSIGN_OR_RETURN(toml::table root, ParseTomlFile(path));
  const std::string file = path.string();
  TomlTable top(root, "", file);
  CAMBRIAN_RETURN_IF_ERROR(OnlyKeysOf(top, ""));
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::table* search, top.OptionalTable("search", "a table"));
  if (search)
    CAMBRIAN_RETURN_IF_ERROR(ReadSearch(TomlTable(*search, "search", file), config.population));
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::table* run, top.OptionalTable("run", "a table"));
  if (run) CAMBRIAN_RETURN_IF_ERROR(ReadRun(TomlTable(*run, "run", file), config));
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::table* slurm, top.OptionalTable("slurm", "a table"));
  if (slurm) CAMBRIAN_RETURN_IF_ERROR(ReadSlurm(TomlTable(*slurm, "slurm", file), config.slurm));
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::table* mutators, top.OptionalTable("mutators", "a table"));
  if (mutators) {
    CAMBRIAN_RETURN_IF_ERROR(ReadMutators(file, TomlTable(*mutators, "mutators", file), config));
  }
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::table* llm, top.OptionalTable("llm", "a table"));
  if (llm) CAMBRIAN_RETURN_IF_ERROR(ReadLlm(path, TomlTable(*llm, "llm", file), config));
  return absl::OkStatus();
}

}  // namespace cambrian::orchestrator
