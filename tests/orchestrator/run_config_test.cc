// The stored run configuration reads back as it was written (resume relies
// on it), and damaged JSON is a clear error.
#include "orchestrator/run_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "common/file_util.h"

namespace cambrian::orchestrator {
namespace {

TEST(RunConfigJsonTest, RoundTrips) {
  RunConfig config;
  config.task_dir = "/tasks/matmul-cpu";
  config.run_dir = "runs/x";
  config.workers = 3;
  config.max_evaluations = 77;
  config.max_wall_time = absl::Minutes(5);
  config.seed = 42;
  config.strategy = "random";
  config.crossover_rate = 0.3;
  config.mutator_weights = {{"llm", 0.7}, {"knob", 0.3}};
  config.llm_concurrency = 6;
  mutators::ModelConfig model = *mutators::ParseModelFlag("anthropic:claude-x@0.5");
  model.usd_per_million_input = 3;
  model.max_tokens = 2048;
  model.stop = {"<|end|>"};
  model.grammar = mutators::GrammarUse::kOff;
  config.llm.models.push_back(model);
  config.llm.max_cost_usd = 2.5;
  config.llm.diff_weight = 0.9;

  absl::StatusOr<RunConfig> back = RunConfigFromJson(RunConfigToJson(config));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->task_dir, config.task_dir);
  EXPECT_EQ(back->workers, 3);
  EXPECT_EQ(back->max_evaluations, 77);
  EXPECT_EQ(back->max_wall_time, absl::Minutes(5));
  EXPECT_EQ(back->seed, 42u);
  EXPECT_EQ(back->strategy, "random");
  EXPECT_DOUBLE_EQ(back->crossover_rate, 0.3);
  EXPECT_EQ(back->mutator_weights, config.mutator_weights);
  EXPECT_EQ(back->llm_concurrency, 6);
  ASSERT_EQ(back->llm.models.size(), 1u);
  EXPECT_EQ(back->llm.models[0].provider, mutators::Provider::kAnthropic);
  EXPECT_EQ(back->llm.models[0].model, "claude-x");
  EXPECT_DOUBLE_EQ(back->llm.models[0].weight, 0.5);
  EXPECT_EQ(back->llm.models[0].max_tokens, 2048);
  EXPECT_EQ(back->llm.models[0].stop, std::vector<std::string>{"<|end|>"});
  EXPECT_EQ(back->llm.models[0].grammar, mutators::GrammarUse::kOff);
  EXPECT_DOUBLE_EQ(back->llm.models[0].usd_per_million_input, 3);
  EXPECT_EQ(back->llm.max_cost_usd, 2.5);
  EXPECT_FALSE(back->llm.max_tokens.has_value());
  EXPECT_DOUBLE_EQ(back->llm.diff_weight, 0.9);
}

TEST(RunConfigJsonTest, DamagedJsonIsDataLoss) {
  EXPECT_EQ(RunConfigFromJson("{not json").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(RunConfigFromJson(R"({"workers": "two"})").status().code(),
            absl::StatusCode::kDataLoss);
}

// A config file's model with these extra TOML lines.
absl::Status LoadModel(const std::string& lines, RunConfig& config) {
  const std::filesystem::path file =
      std::filesystem::path(::testing::TempDir()) / ("stop_" + std::to_string(getpid()));
  EXPECT_TRUE(
      WriteFile(file, "[[llm.models]]\nprovider = \"openai\"\nmodel = \"m\"\n" + lines + "\n")
          .ok());
  absl::Status loaded = LoadRunConfigFile(file, config);
  std::filesystem::remove(file);
  return loaded;
}

TEST(RunConfigFileTest, StopSequencesAreUpToFourNonEmptyStrings) {
  RunConfig config;
  ASSERT_TRUE(LoadModel(R"(stop = ["</code>", "\n\n\n"])", config).ok());
  ASSERT_EQ(config.llm.models.size(), 1u);
  EXPECT_EQ(config.llm.models[0].stop, (std::vector<std::string>{"</code>", "\n\n\n"}));
  for (const std::string bad : {R"("one")", R"([""])", "[1]", R"(["a","b","c","d","e"])"}) {
    RunConfig other;
    const absl::Status status = LoadModel("stop = " + bad, other);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("stop")) << bad;
  }
}

TEST(RunConfigFileTest, GrammarIsAutoOnOrOff) {
  RunConfig config;
  ASSERT_TRUE(LoadModel("", config).ok());
  EXPECT_EQ(config.llm.models[0].grammar, mutators::GrammarUse::kAuto);
  RunConfig off;
  ASSERT_TRUE(LoadModel(R"(grammar = "off")", off).ok());
  EXPECT_EQ(off.llm.models[0].grammar, mutators::GrammarUse::kOff);
  RunConfig bad;
  const absl::Status status = LoadModel(R"(grammar = "yes")", bad);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("grammar"));
}

}  // namespace
}  // namespace cambrian::orchestrator
