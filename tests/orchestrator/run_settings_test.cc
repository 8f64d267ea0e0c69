// The run settings table (orchestrator/run_settings.h) against everything
// that spells a setting out: the `run` command's flags, the config file's
// reader, the stored configuration (resume) and the docs. Each test fails
// when one of them drifts from the table.
#include "orchestrator/run_settings.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "common/file_util.h"
#include "nlohmann/json.hpp"
#include "orchestrator/commands/run_options.h"
#include "orchestrator/run_config.h"

namespace cambrian::orchestrator {
namespace {

namespace fs = std::filesystem;

// Every key path of a stored configuration; arrays of objects as "key[]".
void Flatten(const nlohmann::json& json, const std::string& prefix, std::set<std::string>* out) {
  for (const auto& [key, value] : json.items()) {
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    if (value.is_object() && key != "mutator_weights") {
      Flatten(value, path, out);
    } else if (value.is_array() && !value.empty() && value[0].is_object()) {
      out->insert(path);
      Flatten(value[0], path + "[]", out);
    } else {
      out->insert(path);
    }
  }
}

// A RunConfig with every optional part set, so every stored key appears.
RunConfig FullConfig() {
  RunConfig config;
  config.max_evaluations = 10;
  config.max_wall_time = absl::Hours(1);
  config.patience = 5;
  config.llm.max_cost_usd = 1;
  config.llm.max_tokens = 1000;
  config.llm.models.push_back(*mutators::ParseModelFlag("openai:m"));
  return config;
}

// A valid, non-default value for each config-file key (TOML text). A key
// the table gains without a sample here fails EveryFileKeyIsReadAndStored.
const std::map<std::string, std::string>& Samples() {
  static const auto* samples = new std::map<std::string, std::string>{
      {"run.workers", "3"},
      {"run.budget", "17"},
      {"run.time", "\"2h\""},
      {"run.patience", "40"},
      {"run.seed", "7"},
      {"run.strategy", "\"random\""},
      {"run.sandbox", "\"process\""},
      {"run.seed_may_fail", "true"},
      {"run.notify", "\"http://h/hook\""},
      {"run.notify_cmd", "\"cat\""},
      {"search.islands", "5"},
      {"search.island_size", "32"},
      {"search.elite_size", "8"},
      {"search.exploit_rate", "0.5"},
      {"search.explore_rate", "0.3"},
      {"search.tournament_size", "4"},
      {"search.migration_interval", "10"},
      {"search.reseed_after", "50"},
      {"mutators.weights", "{ knob = 2.0 }"},
      {"mutators.crossover_rate", "0.5"},
      {"mutators.repair_rate", "0.3"},
      {"run.keep_jobs", "true"},
      {"llm.concurrency", "2"},
      {"llm.share", "0.5"},
      {"llm.novelty", "0.97"},
      {"llm.max_cost", "3.5"},
      {"llm.max_tokens", "100000"},
      {"llm.prompts", "\"mine\""},
      {"llm.selection", "\"bandit\""},
      {"llm.diff_weight", "0.5"},
      {"llm.embeddings", "\"http://h:2/v1\""},
      {"llm.embeddings_model", "\"nomic\""},
      {"llm.embeddings_key_env", "\"EMB_KEY\""},
      {"llm.rewrite_weight", "0.5"},
      {"llm.models.provider", "\"anthropic\""},
      {"llm.models.model", "\"other\""},
      {"llm.models.weight", "2.0"},
      {"llm.models.base_url", "\"http://h:1/v1\""},
      {"llm.models.key_env", "\"MY_KEY\""},
      {"llm.models.temperature", "0.1"},
      {"llm.models.max_tokens", "512"},
      {"llm.models.timeout", "\"42s\""},
      {"llm.models.connect_timeout", "\"3s\""},
      {"llm.models.max_retries", "2"},
      {"llm.models.price_input", "1.5"},
      {"llm.models.price_output", "6.0"},
      {"llm.models.max_prompt_bytes", "4096"},
      {"llm.models.context_tokens", "8192"},
      {"llm.models.stop", "[\"<|end|>\"]"},
      {"llm.models.grammar", "\"off\""},
      {"run.executor", "\"slurm\""},
      {"slurm.mode", "\"workers\""},
      {"slurm.host", "\"login1\""},
      {"slurm.partition", "\"gpu\""},
      {"slurm.account", "\"lab\""},
      {"slurm.qos", "\"high\""},
      {"slurm.gres", "\"gpu:a100:1\""},
      {"slurm.constraint", "\"h100\""},
      {"slurm.time", "\"90m\""},
      {"slurm.pending_limit", "\"30m\""},
      {"slurm.extra_args", "[\"--exclusive\"]"},
  };
  return *samples;
}

// The stored JSON after loading a config file holding `toml`.
std::string StoredAfter(const std::string& toml) {
  const fs::path file = fs::path(::testing::TempDir()) / ("settings_" + std::to_string(getpid()));
  EXPECT_TRUE(WriteFile(file, toml).ok());
  RunConfig config;
  config.llm.models.clear();
  const absl::Status loaded = LoadRunConfigFile(file, config);
  EXPECT_TRUE(loaded.ok()) << loaded << "\n" << toml;
  fs::remove(file);
  return RunConfigToJson(config);
}

TEST(RunSettingsTest, EveryFlagOfRunIsInTheTable) {
  CLI::App app;
  RunOptions options;
  AddRunFlags(app, options);
  std::set<std::string> flags, declared;
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_name() != "--help") flags.insert(option->get_name());
  }
  for (const RunSetting& setting : RunSettings()) {
    if (!setting.flag.empty()) declared.insert(std::string(setting.flag));
  }
  EXPECT_EQ(flags, declared);
}

TEST(RunSettingsTest, EveryStoredKeyIsInTheTable) {
  std::set<std::string> stored, declared;
  Flatten(nlohmann::json::parse(RunConfigToJson(FullConfig())), "", &stored);
  for (const RunSetting& setting : RunSettings()) {
    if (!setting.stored.empty()) declared.insert(std::string(setting.stored));
  }
  EXPECT_EQ(stored, declared);
}

// Each file key is read and lands in the stored configuration: a
// non-default value changes the stored key the table names, so a resumed
// run keeps it.
TEST(RunSettingsTest, EveryFileKeyIsReadAndStored) {
  const std::string model = "[[llm.models]]\nprovider = \"openai\"\nmodel = \"m\"\n";
  const std::string baseline = StoredAfter(model);
  for (const RunSetting& setting : RunSettings()) {
    // llm.models is the table of models, set by every other models key.
    if (setting.toml.empty() || setting.toml == "llm.models") continue;
    const std::string toml(setting.toml);
    ASSERT_TRUE(Samples().count(toml)) << "no sample value for " << toml;
    const std::string& sample = Samples().at(toml);
    const std::string key = toml.substr(toml.rfind('.') + 1);
    std::string text;
    if (toml.rfind("llm.models.", 0) == 0) {
      text = model;
      const size_t line = text.find(key + " = ");
      if (line != std::string::npos) text.erase(line, text.find('\n', line) - line + 1);
      text += key + " = " + sample + "\n";
    } else {
      text = "[" + toml.substr(0, toml.rfind('.')) + "]\n" + key + " = " + sample + "\n" + model;
    }
    SCOPED_TRACE(toml);
    if (setting.stored.empty()) {  // this session's only (--notify): read, not stored
      EXPECT_EQ(StoredAfter(text), baseline);
      continue;
    }
    const nlohmann::json before = nlohmann::json::parse(baseline);
    const nlohmann::json after = nlohmann::json::parse(StoredAfter(text));
    std::string stored(setting.stored);
    std::string pointer = "/" + stored;
    for (size_t dot; (dot = pointer.find('.')) != std::string::npos;) pointer[dot] = '/';
    const size_t array = pointer.find("[]");
    if (array != std::string::npos) pointer.replace(array, 2, "/0");
    const auto where = nlohmann::json::json_pointer(pointer);
    ASSERT_TRUE(after.contains(where)) << pointer;
    EXPECT_NE(before.value(where, nlohmann::json()), after.at(where)) << "not read: " << text;
  }
}

TEST(RunSettingsTest, UnknownFileKeysAreRefused) {
  EXPECT_EQ(TomlKeysOf(""), (std::set<std::string>{"llm", "mutators", "run", "search", "slurm"}));
  EXPECT_TRUE(TomlKeysOf("llm").count("models"));
  EXPECT_TRUE(TomlKeysOf("llm.models").count("connect_timeout"));
  const fs::path file = fs::path(::testing::TempDir()) / "settings_typo.toml";
  ASSERT_TRUE(WriteFile(file, "[run]\nworkrs = 3\n").ok());
  RunConfig config;
  const absl::Status loaded = LoadRunConfigFile(file, config);
  EXPECT_FALSE(loaded.ok());
  EXPECT_NE(loaded.message().find("run.workrs"), std::string::npos) << loaded;
}

// The doc each setting names lists its flag and its file key.
TEST(RunSettingsTest, EverySettingIsDocumented) {
  for (const RunSetting& setting : RunSettings()) {
    if (setting.docs.empty()) continue;
    std::ifstream in(fs::path(CAMBRIAN_SOURCE_DIR) / "docs" / std::string(setting.docs));
    std::stringstream text;
    text << in.rdbuf();
    const std::string doc = text.str();
    ASSERT_FALSE(doc.empty()) << setting.docs;
    if (!setting.flag.empty()) {
      EXPECT_NE(doc.find("`" + std::string(setting.flag)), std::string::npos)
          << setting.flag << " is not in docs/" << setting.docs;
    }
    if (!setting.toml.empty()) {
      const std::string toml(setting.toml);
      const std::string key = toml.substr(toml.rfind('.') + 1);
      EXPECT_TRUE(doc.find(key) != std::string::npos) << toml << " is not in docs/" << setting.docs;
    }
  }
}

}  // namespace
}  // namespace cambrian::orchestrator
