#include "evaluator/task_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "absl/strings/str_replace.h"
#include "common/file_util.h"
#include "tests/evaluator/task_loader_fixture.h"

namespace cambrian::evaluator {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::kGoodTask;
using testing::TaskLoaderTest;

TEST_F(TaskLoaderTest, LoadsEveryKey) {
  absl::StatusOr<Task> task = Load(kGoodTask);
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->name, "matmul-cpu");
  EXPECT_EQ(task->description, "Multiply matrices fast.");
  EXPECT_EQ(task->instructions, "Make it fast.\n");
  EXPECT_TRUE(task->dir.is_absolute());
  EXPECT_EQ(task->program_root, fs::absolute(dir_ / "program").lexically_normal());
  EXPECT_EQ(task->trusted_root, fs::absolute(dir_ / "harness").lexically_normal());
  EXPECT_EQ(task->editable, std::vector<std::string>{"*.cpp"});
  ASSERT_EQ(task->stages.size(), 2u);
  EXPECT_EQ(task->stages[0].name, "build");
  EXPECT_THAT(task->stages[0].run, HasSubstr("g++ -O3"));
  EXPECT_EQ(task->stages[0].timeout, absl::Seconds(90));
  EXPECT_EQ(task->stages[0].pass_if, "");
  EXPECT_EQ(task->stages[1].pass_if, "correct == 1");
  EXPECT_EQ(task->fitness_score, "gflops");
  EXPECT_EQ(task->goal, Goal::kMaximize);
  EXPECT_DOUBLE_EQ(task->tolerance, 0.25);
  ASSERT_EQ(task->features.size(), 1u);
  EXPECT_EQ(task->features[0].name, "code_lines");
  EXPECT_EQ(task->features[0].bins, 4);
  EXPECT_EQ(task->features[0].lo, 20);
  EXPECT_EQ(task->features[0].hi, 400);
  EXPECT_EQ(task->resources.cpus, 2);
  EXPECT_EQ(task->resources.memory_bytes, int64_t{2} << 30);
  EXPECT_EQ(task->resources.gpus, 1);
  EXPECT_EQ(task->resources.output_bytes, int64_t{1} << 20);
  EXPECT_EQ(task->resources.file_bytes, int64_t{64} << 20);
}

TEST_F(TaskLoaderTest, MinimalTaskGetsDefaults) {
  absl::StatusOr<Task> task = Load(R"(name = "t"
description = ""
program = { root = "program", editable = ["matmul.cpp"] }
stages = [{ name = "run", run = "true" }]
fitness = { score = "x", goal = "minimize" }
)");
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_TRUE(task->trusted_root.empty());
  EXPECT_TRUE(task->instructions.empty());
  EXPECT_EQ(task->stages[0].timeout, absl::Seconds(60));
  EXPECT_EQ(task->goal, Goal::kMinimize);
  EXPECT_DOUBLE_EQ(task->tolerance, 0.1);
  EXPECT_DOUBLE_EQ(task->noise.absolute, 0);
  // Winners are confirmed on fresh seeds unless a task says otherwise.
  EXPECT_EQ(task->confirm, 3);
  EXPECT_EQ(task->confirm_seeds, 2);
  EXPECT_TRUE(task->setup.empty());
  EXPECT_TRUE(task->hidden_paths.empty());
  EXPECT_FALSE(task->plausible_lo.has_value());
  EXPECT_TRUE(task->plausible_if.empty());
  EXPECT_FALSE(task->stages[0].judged());
  EXPECT_FALSE(HasJudge(*task));
  EXPECT_TRUE(task->profile.empty());
  EXPECT_TRUE(task->profiles.empty());
  EXPECT_TRUE(task->stage_env.empty());
  EXPECT_TRUE(task->features.empty());
  EXPECT_EQ(task->resources.memory_bytes, ResourceSpec{}.memory_bytes);
}

TEST_F(TaskLoaderTest, AcceptsTheTomlPathToo) {
  ASSERT_TRUE(WriteFile(dir_ / "task.toml", kGoodTask).ok());
  absl::StatusOr<Task> task = LoadTask(dir_ / "task.toml");
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->dir, fs::absolute(dir_).lexically_normal());
}

TEST_F(TaskLoaderTest, MissingFileIsNotFoundNamingThePath) {
  absl::StatusOr<Task> task = LoadTask(dir_);
  ASSERT_FALSE(task.ok());
  EXPECT_EQ(task.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(task.status().message(), HasSubstr((dir_ / "task.toml").string()));
}

TEST_F(TaskLoaderTest, MissingRequiredKey) {
  std::string message = ErrorFor("goal = \"maximize\"\n", "");
  EXPECT_THAT(message, HasSubstr("missing required key 'fitness.goal'"));
  EXPECT_THAT(message, HasSubstr("\"maximize\" or \"minimize\""));
  EXPECT_THAT(ErrorFor("name = \"matmul-cpu\"\n", ""), HasSubstr("missing required key 'name'"));
  EXPECT_THAT(ErrorFor("run = \"./bench --check\"\n", ""),
              HasSubstr("missing required key 'stages[1].run'"));
}

TEST_F(TaskLoaderTest, WrongTypeNamesKeyExpectationAndValue) {
  std::string message = ErrorFor("timeout = \"30s\"", "timeout = 30");
  EXPECT_THAT(message, HasSubstr("key 'stages[1].timeout': expected a duration like \"30s\", "
                                 "got integer 30"));
  EXPECT_THAT(message, HasSubstr("task.toml:20:"));  // the line of the value
  EXPECT_THAT(ErrorFor("cpus = 2", "cpus = \"two\""),
              HasSubstr("key 'resources.cpus': expected an integer >= 1, got string \"two\""));
  EXPECT_THAT(ErrorFor("tolerance = 0.25", "tolerance = true"),
              HasSubstr("key 'fitness.tolerance'"));
  EXPECT_THAT(ErrorFor("goal = \"maximize\"", "goal = \"max\""),
              HasSubstr("key 'fitness.goal': expected \"maximize\" or \"minimize\", got string "
                        "\"max\""));
  EXPECT_THAT(
      ErrorFor("[fitness]\nscore = \"gflops\"\ngoal = \"maximize\"\ntolerance = 0.25\n", ""),
      HasSubstr("missing required key 'fitness'"));
}

TEST_F(TaskLoaderTest, BadDurationAndSize) {
  EXPECT_THAT(ErrorFor("timeout = \"90s\"", "timeout = \"90 parsecs\""),
              HasSubstr("key 'stages[0].timeout': expected a duration like \"30s\", got string "
                        "\"90 parsecs\""));
  EXPECT_THAT(ErrorFor("memory = \"2GiB\"", "memory = \"lots\""),
              HasSubstr("key 'resources.memory': expected a size like \"4GiB\""));
}

TEST_F(TaskLoaderTest, InodeCapIsReadAndBounded) {
  EXPECT_EQ(ResourceSpec{}.inodes, 100000);
  absl::StatusOr<Task> task = Load(
      absl::StrReplaceAll(kGoodTask, {{"memory = \"2GiB\"", "memory = \"2GiB\"\ninodes = 5000"}}));
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->resources.inodes, 5000);
  EXPECT_THAT(ErrorFor("memory = \"2GiB\"", "memory = \"2GiB\"\ninodes = 3"),
              HasSubstr("key 'resources.inodes'"));
  EXPECT_THAT(ErrorFor("memory = \"2GiB\"", "memory = \"2GiB\"\ninodes = \"many\""),
              HasSubstr("key 'resources.inodes'"));
}

TEST_F(TaskLoaderTest, BadExpressionNamesKeyAndParserMessage) {
  std::string message = ErrorFor("pass_if = \"correct == 1\"", "pass_if = \"correct == \"");
  EXPECT_THAT(message, HasSubstr("key 'stages[1].pass_if'"));
  EXPECT_THAT(message, HasSubstr("expression 'correct == '"));
  EXPECT_THAT(ErrorFor("score = \"gflops\"", "score = \"gflops)\""),
              HasSubstr("key 'fitness.score'"));
}

TEST_F(TaskLoaderTest, MissingProgramRoot) {
  std::string message = ErrorFor("root = \"program\"", "root = \"progrm\"");
  EXPECT_THAT(message, HasSubstr("key 'program.root': directory "));
  EXPECT_THAT(message, HasSubstr("progrm does not exist"));
  EXPECT_THAT(ErrorFor("root = \"harness\"", "root = \"harnes\""), HasSubstr("key 'trusted.root'"));
}

TEST_F(TaskLoaderTest, EditableGlobMustMatch) {
  std::string message = ErrorFor("editable = [\"*.cpp\"]", "editable = [\"*.cu\"]");
  EXPECT_THAT(message, HasSubstr("key 'program.editable': glob '*.cu' matches no file"));
  EXPECT_THAT(ErrorFor("editable = [\"*.cpp\"]", "editable = []"),
              HasSubstr("key 'program.editable'"));
  EXPECT_THAT(ErrorFor("editable = [\"*.cpp\"]", "editable = [\"../x\"]"),
              HasSubstr("glob '../x'"));
  EXPECT_THAT(ErrorFor("editable = [\"*.cpp\"]", "editable = [1]"),
              HasSubstr("got an element integer 1"));
}

TEST_F(TaskLoaderTest, EditableGlobReachesSubdirectories) {
  ASSERT_TRUE(WriteFile(dir_ / "program" / "src" / "kernel.cu", "\n").ok());
  absl::StatusOr<Task> task =
      Load(absl::StrReplaceAll(kGoodTask, {{"[\"*.cpp\"]", "[\"src/*.cu\", \"*.cpp\"]"}}));
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->editable.size(), 2u);
}

TEST_F(TaskLoaderTest, UnknownKeysAreErrors) {
  std::string message = ErrorFor("[fitness]", "[fitnes]");
  EXPECT_THAT(message, HasSubstr("unknown key 'fitnes' (did you mean 'fitness'?"));
  EXPECT_THAT(ErrorFor("pass_if = ", "passif = "), HasSubstr("unknown key 'stages[1].passif'"));
  EXPECT_THAT(ErrorFor("gpus = 1", "gpu = 1"), HasSubstr("unknown key 'resources.gpu'"));
  EXPECT_THAT(ErrorFor("bins = 4", "bin = 4"), HasSubstr("unknown key 'features.code_lines.bin'"));
  EXPECT_THAT(ErrorFor("cpus = 2", "cpus = 2\ncolour = 1"),
              HasSubstr("unknown key 'resources.colour' (expected one of: cpus, memory"));
}

TEST_F(TaskLoaderTest, FeaturesAreMetricsOrKnobs) {
  std::string toml =
      absl::StrReplaceAll(kGoodTask, {{"code_lines = { bins = 4, range = [20, 400] }",
                                       "code_lines = { bins = 4, range = [20, 400] }\n"
                                       "\"knob:kTile\" = { bins = 5, range = [0, 5] }"}});
  absl::StatusOr<Task> task = Load(toml);
  ASSERT_TRUE(task.ok()) << task.status();
  ASSERT_EQ(task->features.size(), 2u);
  EXPECT_EQ(task->features[1].name, "knob:kTile");
  EXPECT_THAT(ErrorFor("code_lines = {", "\"knob:\" = {"), HasSubstr("or a knob (\"knob:NAME\")"));
  EXPECT_THAT(ErrorFor("code_lines = {", "\"knob:1x\" = {"), HasSubstr("a feature must be named"));
  EXPECT_THAT(ErrorFor("code_lines = {", "\"gflops-x\" = {"), HasSubstr("a feature must be named"));
}

TEST_F(TaskLoaderTest, StageNamesAreUniqueAndNonEmpty) {
  std::string message = ErrorFor("name = \"check\"", "name = \"build\"");
  EXPECT_THAT(message, HasSubstr("key 'stages[1].name': duplicate stage name \"build\""));
  EXPECT_THAT(ErrorFor("name = \"check\"", "name = \"\""), HasSubstr("key 'stages[1].name'"));
  EXPECT_THAT(ErrorFor("name = \"check\"", "name = \"../x\""), HasSubstr("key 'stages[1].name'"));
}

TEST_F(TaskLoaderTest, NeedsAtLeastOneStage) {
  std::string toml = kGoodTask;
  toml = toml.substr(0, toml.find("[[stages]]")) + toml.substr(toml.find("[fitness]"));
  absl::StatusOr<Task> task = Load(toml);
  ASSERT_FALSE(task.ok());
  EXPECT_THAT(task.status().message(), HasSubstr("missing required key 'stages'"));
}

TEST_F(TaskLoaderTest, TaskNameMustBeLowerCaseSlug) {
  EXPECT_THAT(ErrorFor("name = \"matmul-cpu\"", "name = \"Matmul CPU\""), HasSubstr("key 'name'"));
}

TEST_F(TaskLoaderTest, BadFeature) {
  EXPECT_THAT(ErrorFor("range = [20, 400]", "range = [400, 20]"),
              HasSubstr("key 'features.code_lines.range': expected [lo, hi] with lo < hi"));
  EXPECT_THAT(ErrorFor("bins = 4", "bins = 0"), HasSubstr("key 'features.code_lines.bins'"));
}

TEST_F(TaskLoaderTest, MissingInstructionsFile) {
  EXPECT_THAT(ErrorFor("\"program.md\"", "\"nope.md\""),
              HasSubstr("key 'instructions': cannot read"));
}

TEST_F(TaskLoaderTest, SyntaxErrorNamesFileLineAndColumn) {
  std::string message = ErrorFor("cpus = 2", "cpus = = 2");
  EXPECT_THAT(message, HasSubstr("task.toml:32:"));
  EXPECT_THAT(message, HasSubstr("TOML syntax error"));
}

// Every task shipped in tasks/ must load: a broken built-in task is a bug.
TEST(BuiltInTasksTest, EveryTaskInTheRepositoryLoads) {
  const fs::path tasks = fs::path(CAMBRIAN_SOURCE_DIR) / "tasks";
  int loaded = 0;
  for (const auto& entry : fs::directory_iterator(tasks)) {
    if (!fs::exists(entry.path() / "task.toml")) continue;
    absl::StatusOr<Task> task = LoadTask(entry.path());
    EXPECT_TRUE(task.ok()) << task.status();
    ++loaded;
  }
  EXPECT_GE(loaded, 1);
}

TEST_F(TaskLoaderTest, NoiseAndConfirmation) {
  absl::StatusOr<Task> task =
      Load(absl::StrReplaceAll(kGoodTask, {{"tolerance = 0.25",
                                            "tolerance = 0.25\nnoise = 0.015\nconfirm = 3\n"
                                            "confirm_seeds = 4"}}));
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_DOUBLE_EQ(task->noise.absolute, 0.015);
  EXPECT_EQ(task->confirm, 3);
  EXPECT_EQ(task->confirm_seeds, 4);
  EXPECT_THAT(ErrorFor("tolerance = 0.25", "noise = -1"), HasSubstr("key 'fitness.noise'"));
  EXPECT_THAT(ErrorFor("tolerance = 0.25", "noise = \"0.1\""),
              HasSubstr("expected a standard deviation >= 0"));
  EXPECT_THAT(ErrorFor("tolerance = 0.25", "confirm = -1"), HasSubstr("key 'fitness.confirm'"));
  EXPECT_THAT(ErrorFor("tolerance = 0.25", "confirm = 1.5"), HasSubstr("key 'fitness.confirm'"));
  EXPECT_THAT(ErrorFor("tolerance = 0.25", "confirm_seeds = 0"),
              HasSubstr("key 'fitness.confirm_seeds': expected an integer >= 1"));
}

constexpr char kProfiles[] = R"(
default_profile = "demo"

[profiles.smoke]
description = "seconds, for CI"
env = { MODE = "smoke", SCALE = "0.5" }
timeouts = { check = "5s" }

[profiles.demo]
env = { MODE = "demo" }

[profiles.gpu]
env = { MODE = "gpu" }
timeouts = { build = "10m", check = "1h" }
memory = "1024GiB"
gpus = 2
)";

class TaskProfileTest : public TaskLoaderTest {
 protected:
  absl::StatusOr<Task> LoadProfile(const std::string& profiles, const std::string& name) {
    // Top-level keys before the good task's tables, [profiles.*] after them.
    const size_t tables = std::min(profiles.find("[profiles"), profiles.size());
    EXPECT_TRUE(WriteFile(dir_ / "task.toml",
                          profiles.substr(0, tables) + kGoodTask + profiles.substr(tables))
                    .ok());
    return LoadTask(dir_, name);
  }
  std::string ProfileError(const std::string& from, const std::string& to,
                           const std::string& name = "") {
    std::string profiles = kProfiles;
    EXPECT_NE(profiles.find(from), std::string::npos) << from;
    absl::StatusOr<Task> task = LoadProfile(absl::StrReplaceAll(profiles, {{from, to}}), name);
    EXPECT_FALSE(task.ok()) << "loaded despite replacing " << from << " by " << to;
    if (task.ok()) return "";
    EXPECT_EQ(task.status().code(), absl::StatusCode::kInvalidArgument);
    std::string message(task.status().message());
    EXPECT_THAT(message, HasSubstr((dir_ / "task.toml").string()));
    return message;
  }
};

TEST_F(TaskProfileTest, EmptyNameMeansTheDefaultProfile) {
  absl::StatusOr<Task> task = LoadProfile(kProfiles, "");
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->profile, "demo");
  EXPECT_EQ(task->profiles, (std::vector<std::string>{"demo", "gpu", "smoke"}));
  EXPECT_EQ(task->stage_env, (std::map<std::string, std::string>{{"MODE", "demo"}}));
  EXPECT_EQ(task->stages[0].timeout, absl::Seconds(90));  // not overridden
  EXPECT_EQ(task->stages[1].timeout, absl::Seconds(30));
  EXPECT_EQ(task->resources.memory_bytes, int64_t{2} << 30);  // [resources]
  EXPECT_EQ(task->resources.gpus, 1);
}

TEST_F(TaskProfileTest, NamedProfileSetsEnvAndTimeouts) {
  absl::StatusOr<Task> task = LoadProfile(kProfiles, "smoke");
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->profile, "smoke");
  EXPECT_EQ(task->stage_env,
            (std::map<std::string, std::string>{{"MODE", "smoke"}, {"SCALE", "0.5"}}));
  EXPECT_EQ(task->stages[0].timeout, absl::Seconds(90));
  EXPECT_EQ(task->stages[1].timeout, absl::Seconds(5));
  task = LoadProfile(kProfiles, "gpu");
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->stages[0].timeout, absl::Minutes(10));
  EXPECT_EQ(task->stages[1].timeout, absl::Hours(1));
  EXPECT_EQ(task->resources.memory_bytes, int64_t{1} << 40);
  EXPECT_EQ(task->resources.gpus, 2);
}

TEST_F(TaskProfileTest, UnknownProfileNamesFileKeyAndChoices) {
  absl::StatusOr<Task> task = LoadProfile(kProfiles, "gpu2");
  ASSERT_FALSE(task.ok());
  EXPECT_EQ(task.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(task.status().message(),
            (dir_ / "task.toml").string() +
                ": key 'profiles': unknown profile 'gpu2' (expected one of: demo, gpu, smoke)");
  EXPECT_THAT(ProfileError("default_profile = \"demo\"", "default_profile = \"dmeo\""),
              HasSubstr("key 'default_profile': no profile is named 'dmeo'"));
  EXPECT_THAT(ProfileError("default_profile = \"demo\"", ""),
              HasSubstr("a task with [profiles] must name its default one"));
  task = Load(kGoodTask);
  task = LoadTask(dir_, "smoke");
  ASSERT_FALSE(task.ok());
  EXPECT_THAT(task.status().message(), HasSubstr("the task declares no profiles"));
}

TEST_F(TaskProfileTest, EveryProfileIsValidatedWhicheverIsChosen) {
  EXPECT_THAT(ProfileError("build = \"10m\"", "biuld = \"10m\"", "smoke"),
              HasSubstr("key 'profiles.gpu.timeouts': no stage is named \"biuld\""));
  EXPECT_THAT(ProfileError("build = \"10m\"", "build = 600"),
              HasSubstr("stage 'build': expected a duration like \"30s\", got integer 600"));
  EXPECT_THAT(ProfileError("memory = \"1024GiB\"", "memory = \"lots\""),
              HasSubstr("key 'profiles.gpu.memory': expected a size like \"4GiB\""));
  EXPECT_THAT(ProfileError("gpus = 2", "gpus = -1"),
              HasSubstr("key 'profiles.gpu.gpus': expected an integer >= 0"));
  EXPECT_THAT(ProfileError("MODE = \"gpu\"", "MODE = 1"),
              HasSubstr("key 'profiles.gpu.env': variable 'MODE': expected a string"));
  EXPECT_THAT(ProfileError("MODE = \"gpu\"", "CAMBRIAN_SEED = \"1\""),
              HasSubstr("'CAMBRIAN_SEED' is set by the harness"));
  EXPECT_THAT(ProfileError("MODE = \"gpu\"", "PATH = \"/tmp\""),
              HasSubstr("'PATH' is set by the harness"));
  EXPECT_THAT(ProfileError("MODE = \"gpu\"", "\"A-B\" = \"1\""),
              HasSubstr("'A-B' is not a variable name"));
  EXPECT_THAT(ProfileError("description = \"seconds, for CI\"", "descripton = \"x\""),
              HasSubstr("unknown key 'profiles.smoke.descripton'"));
  EXPECT_THAT(ProfileError("[profiles.demo]\n", "[profiles]\ndemo = 3\n[profiles.x]\n"),
              HasSubstr("key 'profiles.demo'"));
}

}  // namespace
}  // namespace cambrian::evaluator
