// LoadRunConfigFile: the TOML run config. toml++ is used only here (and in
// the task loader); its exceptions stop at this file.
#include <toml++/toml.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/units.h"
#include "orchestrator/run_config.h"
#include "orchestrator/run_settings.h"

namespace cambrian::orchestrator {
namespace {

// Reads typed values out of one TOML table, turning every problem into an
// InvalidArgument that names the file, the line and the dotted key.
class Reader {
 public:
  Reader(const std::filesystem::path& file, const toml::table& table, std::string prefix)
      : file_(file), table_(table), prefix_(std::move(prefix)) {}

  absl::Status Error(const std::string& key, const std::string& what) const {
    const toml::node* node = table_.get(key);
    std::string where = file_.string();
    if (node != nullptr && node->source().begin) {
      absl::StrAppend(&where, ":", node->source().begin.line);
    }
    return absl::InvalidArgumentError(absl::StrCat(where, ": key '", prefix_, key, "': ", what));
  }

  absl::Status OnlyKeys(const std::set<std::string>& known) const {
    for (const auto& [key, node] : table_) {
      if (!known.count(std::string(key.str()))) {
        return Error(std::string(key.str()), "unknown key");
      }
    }
    return absl::OkStatus();
  }

  template <typename T>
  absl::Status Get(const std::string& key, T& out) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return absl::OkStatus();
    std::optional<T> value = node->value<T>();
    if (!value) return Error(key, absl::StrCat("expected ", Expected<T>()));
    out = *value;
    return absl::OkStatus();
  }

  absl::Status GetDuration(const std::string& key, absl::Duration& out) const {
    std::string text;
    CAMBRIAN_RETURN_IF_ERROR(Get(key, text));
    if (text.empty()) return absl::OkStatus();
    absl::StatusOr<absl::Duration> parsed = ParseDuration(text);
    if (!parsed.ok()) return Error(key, std::string(parsed.status().message()));
    out = *parsed;
    return absl::OkStatus();
  }

  const toml::table* Table(const std::string& key) const { return table_[key].as_table(); }
  const toml::array* Array(const std::string& key) const { return table_[key].as_array(); }
  const std::string& prefix() const { return prefix_; }

 private:
  template <typename T>
  static const char* Expected() {
    if constexpr (std::is_same_v<T, std::string>) return "a string";
    if constexpr (std::is_same_v<T, bool>) return "true or false";
    if constexpr (std::is_integral_v<T>) return "an integer";
    return "a number";
  }

  const std::filesystem::path& file_;
  const toml::table& table_;
  std::string prefix_;
};

absl::Status ReadRun(const Reader& run, RunConfig& config) {
  CAMBRIAN_RETURN_IF_ERROR(run.OnlyKeys(TomlKeysOf("run")));
  CAMBRIAN_RETURN_IF_ERROR(run.Get("sandbox", config.sandbox));
  int64_t patience = 0;
  CAMBRIAN_RETURN_IF_ERROR(run.Get("patience", patience));
  if (patience > 0) config.patience = patience;
  CAMBRIAN_RETURN_IF_ERROR(run.Get("strategy", config.strategy));
  CAMBRIAN_RETURN_IF_ERROR(run.Get("workers", config.workers));
  int64_t budget = 0;
  CAMBRIAN_RETURN_IF_ERROR(run.Get("budget", budget));
  if (budget > 0) config.max_evaluations = budget;
  absl::Duration time = absl::ZeroDuration();
  CAMBRIAN_RETURN_IF_ERROR(run.GetDuration("time", time));
  if (time > absl::ZeroDuration()) config.max_wall_time = time;
  int64_t seed = static_cast<int64_t>(config.seed);
  CAMBRIAN_RETURN_IF_ERROR(run.Get("seed", seed));
  config.seed = static_cast<uint64_t>(seed);
  return run.Get("keep_jobs", config.keep_job_dirs);
}

absl::Status ReadSearch(const Reader& search, PopulationConfig& config) {
  CAMBRIAN_RETURN_IF_ERROR(search.OnlyKeys(TomlKeysOf("search")));
  CAMBRIAN_RETURN_IF_ERROR(search.Get("islands", config.islands));
  CAMBRIAN_RETURN_IF_ERROR(search.Get("island_size", config.island_size));
  CAMBRIAN_RETURN_IF_ERROR(search.Get("elite_size", config.elite_size));
  CAMBRIAN_RETURN_IF_ERROR(search.Get("exploit_rate", config.exploit_rate));
  CAMBRIAN_RETURN_IF_ERROR(search.Get("explore_rate", config.explore_rate));
  CAMBRIAN_RETURN_IF_ERROR(search.Get("tournament_size", config.tournament_size));
  CAMBRIAN_RETURN_IF_ERROR(search.Get("migration_interval", config.migration_interval));
  CAMBRIAN_RETURN_IF_ERROR(search.Get("reseed_after", config.reseed_after));
  absl::Status valid = CheckPopulationConfig(config);
  if (!valid.ok()) return search.Error("", std::string(valid.message()));
  return absl::OkStatus();
}

absl::Status ReadMutators(const std::filesystem::path& file, const Reader& mutators,
                          RunConfig& config) {
  CAMBRIAN_RETURN_IF_ERROR(mutators.OnlyKeys(TomlKeysOf("mutators")));
  CAMBRIAN_RETURN_IF_ERROR(mutators.Get("crossover_rate", config.crossover_rate));
  CAMBRIAN_RETURN_IF_ERROR(mutators.Get("repair_rate", config.repair_rate));
  if (const toml::table* weights = mutators.Table("weights")) {
    Reader reader(file, *weights, "mutators.weights.");
    for (const auto& [name, node] : *weights) {
      double weight = 0;
      CAMBRIAN_RETURN_IF_ERROR(reader.Get(std::string(name.str()), weight));
      config.mutator_weights[std::string(name.str())] = weight;
    }
  }
  return absl::OkStatus();
}

absl::Status ReadModel(const Reader& entry, mutators::ModelConfig& model) {
  CAMBRIAN_RETURN_IF_ERROR(entry.OnlyKeys(TomlKeysOf("llm.models")));
  std::string provider, name;
  CAMBRIAN_RETURN_IF_ERROR(entry.Get("provider", provider));
  CAMBRIAN_RETURN_IF_ERROR(entry.Get("model", name));
  absl::StatusOr<mutators::ModelConfig> parsed =
      mutators::ParseModelFlag(absl::StrCat(provider, ":", name));
  if (!parsed.ok()) return entry.Error("model", std::string(parsed.status().message()));
  model = *parsed;
  CAMBRIAN_RETURN_IF_ERROR(entry.Get("weight", model.weight));
  CAMBRIAN_RETURN_IF_ERROR(entry.Get("base_url", model.base_url));
  CAMBRIAN_RETURN_IF_ERROR(entry.Get("key_env", model.key_env));
  CAMBRIAN_RETURN_IF_ERROR(entry.Get("temperature", model.temperature));
  int64_t max_tokens = model.max_tokens, retries = model.max_retries;
  CAMBRIAN_RETURN_IF_ERROR(entry.Get("max_tokens", max_tokens));
  CAMBRIAN_RETURN_IF_ERROR(entry.Get("max_retries", retries));
  model.max_tokens = static_cast<int>(max_tokens);
  model.max_retries = static_cast<int>(retries);
  CAMBRIAN_RETURN_IF_ERROR(entry.GetDuration("timeout", model.timeout));
  CAMBRIAN_RETURN_IF_ERROR(entry.GetDuration("connect_timeout", model.connect_timeout));
  CAMBRIAN_RETURN_IF_ERROR(entry.Get("price_input", model.usd_per_million_input));
  CAMBRIAN_RETURN_IF_ERROR(entry.Get("max_prompt_bytes", model.max_prompt_bytes));
  CAMBRIAN_RETURN_IF_ERROR(entry.Get("context_tokens", model.context_tokens));
  if (model.max_prompt_bytes < 1024) {
    return entry.Error("max_prompt_bytes", "must be at least 1024");
  }
  if (model.context_tokens < 0) return entry.Error("context_tokens", "must be 0 or more");
  return entry.Get("price_output", model.usd_per_million_output);
}

absl::Status ReadLlm(const std::filesystem::path& file, const Reader& llm, RunConfig& config) {
  CAMBRIAN_RETURN_IF_ERROR(llm.OnlyKeys(TomlKeysOf("llm")));
  int64_t concurrency = config.llm_concurrency;
  CAMBRIAN_RETURN_IF_ERROR(llm.Get("concurrency", concurrency));
  config.llm_concurrency = static_cast<int>(concurrency);
  double max_cost = -1;
  CAMBRIAN_RETURN_IF_ERROR(llm.Get("max_cost", max_cost));
  if (max_cost >= 0) config.llm.max_cost_usd = max_cost;
  int64_t max_tokens = -1;
  CAMBRIAN_RETURN_IF_ERROR(llm.Get("max_tokens", max_tokens));
  if (max_tokens >= 0) config.llm.max_tokens = max_tokens;
  std::string prompts;
  CAMBRIAN_RETURN_IF_ERROR(llm.Get("prompts", prompts));
  if (!prompts.empty()) config.llm.prompts_dir = file.parent_path() / prompts;
  CAMBRIAN_RETURN_IF_ERROR(llm.Get("diff_weight", config.llm.diff_weight));
  CAMBRIAN_RETURN_IF_ERROR(llm.Get("rewrite_weight", config.llm.rewrite_weight));
  if (const toml::array* models = llm.Array("models")) {
    for (size_t i = 0; i < models->size(); ++i) {
      const toml::table* table = (*models)[i].as_table();
      if (table == nullptr) return llm.Error("models", "expected [[llm.models]] tables");
      Reader entry(file, *table, absl::StrCat("llm.models[", i, "]."));
      mutators::ModelConfig model;
      CAMBRIAN_RETURN_IF_ERROR(ReadModel(entry, model));
      config.llm.models.push_back(std::move(model));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status LoadRunConfigFile(const std::filesystem::path& path, RunConfig& config) {
  toml::table root;
  try {
    root = toml::parse_file(path.string());
  } catch (const toml::parse_error& error) {
    return absl::InvalidArgumentError(absl::StrCat(path.string(), ":", error.source().begin.line,
                                                   ": ", std::string(error.description())));
  }
  Reader top(path, root, "");
  CAMBRIAN_RETURN_IF_ERROR(top.OnlyKeys(TomlKeysOf("")));
  if (const toml::table* search = top.Table("search")) {
    CAMBRIAN_RETURN_IF_ERROR(ReadSearch(Reader(path, *search, "search."), config.population));
  }
  if (const toml::table* run = top.Table("run")) {
    CAMBRIAN_RETURN_IF_ERROR(ReadRun(Reader(path, *run, "run."), config));
  }
  if (const toml::table* mutators = top.Table("mutators")) {
    CAMBRIAN_RETURN_IF_ERROR(ReadMutators(path, Reader(path, *mutators, "mutators."), config));
  }
  if (const toml::table* llm = top.Table("llm")) {
    CAMBRIAN_RETURN_IF_ERROR(ReadLlm(path, Reader(path, *llm, "llm."), config));
  }
  return absl::OkStatus();
}

}  // namespace cambrian::orchestrator
