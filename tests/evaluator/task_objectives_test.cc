// [[objectives]], noise, a profile's objectives and [fitness] program
// (evaluator/task_objectives.cc, task_trust.cc).
#include "absl/strings/str_replace.h"
#include "tests/evaluator/task_loader_fixture.h"

namespace cambrian::evaluator::testing {
namespace {

constexpr char kScore[] = "[fitness]\nscore = \"gflops\"\ngoal = \"maximize\"\ntolerance = 0.25\n";

constexpr char kObjectives[] = R"([[objectives]]
name = "gflops"
goal = "maximize"
noise = "5%"

[[objectives]]
name = "bytes"
expr = "code_lines * 40"
goal = "minimize"
noise = 100
tolerance = 0.3
bounds = [0, 1e9]

[fitness]
tolerance = 0.25
)";

std::string WithObjectives(const std::string& extra = "") {
  return absl::StrReplaceAll(kGoodTask, {{kScore, std::string(kObjectives) + extra}});
}

TEST_F(TaskLoaderTest, ObjectivesAndTheirHeadline) {
  absl::StatusOr<Task> task = Load(WithObjectives());
  ASSERT_TRUE(task.ok()) << task.status();
  ASSERT_EQ(task->objectives.size(), 2u);
  EXPECT_TRUE(MultiObjective(*task));
  const ObjectiveSpec& bytes = task->objectives[1];
  EXPECT_EQ(bytes.name, "bytes");
  EXPECT_EQ(bytes.expression, "code_lines * 40");
  EXPECT_EQ(bytes.goal, Goal::kMinimize);
  EXPECT_DOUBLE_EQ(bytes.noise.absolute, 100);
  EXPECT_EQ(bytes.tolerance, 0.3);
  EXPECT_EQ(bytes.lo, 0);
  EXPECT_EQ(bytes.hi, 1e9);
  // The first is the headline: its expression, goal and noise.
  EXPECT_EQ(task->objectives[0].expression, "gflops");
  EXPECT_EQ(task->fitness_score, "gflops");
  EXPECT_EQ(task->goal, Goal::kMaximize);
  EXPECT_DOUBLE_EQ(task->noise.relative, 0.05);
  EXPECT_DOUBLE_EQ(task->tolerance, 0.25);
}

TEST_F(TaskLoaderTest, ObjectiveErrorsNameTheKey) {
  auto error = [&](const std::string& from, const std::string& to) {
    absl::StatusOr<Task> task = Load(absl::StrReplaceAll(WithObjectives(), {{from, to}}));
    EXPECT_FALSE(task.ok()) << from << " -> " << to;
    return task.ok() ? std::string() : std::string(task.status().message());
  };
  EXPECT_THAT(error("name = \"bytes\"", "name = \"gflops\""),
              HasSubstr("objectives[1].name': a second objective named 'gflops'"));
  EXPECT_THAT(error("name = \"bytes\"", "name = \"two words\""), HasSubstr("objectives[1].name"));
  EXPECT_THAT(error("goal = \"minimize\"", "goal = \"least\""),
              HasSubstr("key 'objectives[1].goal'"));
  EXPECT_THAT(error("noise = 100", "noise = -1"), HasSubstr("key 'objectives[1].noise'"));
  EXPECT_THAT(error("noise = \"5%\"", "noise = \"five\""), HasSubstr("like \"5%\""));
  EXPECT_THAT(error("bounds = [0, 1e9]", "bounds = [9, 1]"), HasSubstr("objectives[1].bounds"));
  EXPECT_THAT(error("expr = \"code_lines * 40\"", "expr = \"code_lines *\""),
              HasSubstr("objectives[1].expr"));
  EXPECT_THAT(error("tolerance = 0.3", "toleranse = 0.3"), HasSubstr("did you mean 'tolerance'"));
  // Beside objectives, a score, goal or noise of [fitness] would be a second headline.
  EXPECT_THAT(error("[fitness]\ntolerance = 0.25", "[fitness]\nscore = \"gflops\""),
              HasSubstr("the first objective is the headline"));
}

TEST_F(TaskLoaderTest, ObjectivesNeedNoFitnessTable) {
  absl::StatusOr<Task> task =
      Load(absl::StrReplaceAll(WithObjectives(), {{"[fitness]\ntolerance = 0.25\n", ""}}));
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->fitness_score, "gflops");
}

TEST_F(TaskLoaderTest, AFitnessNoiseMayBeRelative) {
  absl::StatusOr<Task> task = Load(
      absl::StrReplaceAll(kGoodTask, {{"tolerance = 0.25", "tolerance = 0.25\nnoise = \"2.5%\""}}));
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_DOUBLE_EQ(task->noise.relative, 0.025);
  EXPECT_DOUBLE_EQ(task->noise.absolute, 0);
}

TEST_F(TaskLoaderTest, AProfileChoosesItsObjectives) {
  const std::string profiles = R"(
default_profile = "one"
[profiles.one]
objectives = ["gflops"]
[profiles.both]
objectives = ["bytes", "gflops"]
)";
  std::string toml = WithObjectives();
  toml.insert(toml.find("[program]"), profiles.substr(1, profiles.find("[profiles.one]") - 1));
  toml += profiles.substr(profiles.find("[profiles.one]"));
  ASSERT_TRUE(WriteFile(dir_ / "task.toml", toml).ok());
  absl::StatusOr<Task> one = LoadTask(dir_);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->objectives.size(), 1u);
  EXPECT_FALSE(MultiObjective(*one));
  absl::StatusOr<Task> both = LoadTask(dir_, "both");
  ASSERT_TRUE(both.ok()) << both.status();
  ASSERT_EQ(both->objectives.size(), 2u);
  EXPECT_EQ(both->objectives[0].name, "bytes");  // the profile's order: its headline
  EXPECT_EQ(both->goal, Goal::kMinimize);
  EXPECT_EQ(both->fitness_score, "code_lines * 40");
  ASSERT_TRUE(WriteFile(dir_ / "task.toml",
                        absl::StrReplaceAll(toml, {{"[\"bytes\", \"gflops\"]", "[\"speed\"]"}}))
                  .ok());
  absl::StatusOr<Task> typo = LoadTask(dir_, "one");
  ASSERT_FALSE(typo.ok());
  EXPECT_THAT(typo.status().message(), HasSubstr("profiles.both.objectives"));
  EXPECT_THAT(typo.status().message(), HasSubstr("'speed' is not one of"));
}

TEST_F(TaskLoaderTest, AFitnessProgramIsTrustedCode) {
  absl::StatusOr<Task> task = Load(absl::StrReplaceAll(
      kGoodTask, {{"tolerance = 0.25",
                   "tolerance = 0.25\nprogram = \"python3 $CAMBRIAN_TRUSTED/f.py\"\n"
                   "program_timeout = \"20s\""}}));
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->fitness_program, "python3 $CAMBRIAN_TRUSTED/f.py");
  EXPECT_EQ(task->fitness_program_timeout, absl::Seconds(20));
  EXPECT_THAT(ErrorFor("tolerance = 0.25", "tolerance = 0.25\nprogram = \"\""),
              HasSubstr("key 'fitness.program'"));
  // Without [trusted] there is nowhere trusted to keep it.
  absl::StatusOr<Task> untrusted = Load(absl::StrReplaceAll(
      kGoodTask, {{"[trusted]\nroot = \"harness\"\n", ""},
                  {"tolerance = 0.25", "tolerance = 0.25\nprogram = \"./f\""}}));
  ASSERT_FALSE(untrusted.ok());
  EXPECT_THAT(untrusted.status().message(), HasSubstr("put it in the task's [trusted] root"));
}

}  // namespace
}  // namespace cambrian::evaluator::testing
