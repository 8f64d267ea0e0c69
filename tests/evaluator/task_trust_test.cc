// The loader's keys for trust: judged stages, [trusted] setup and hidden,
// [fitness] plausible and plausible_if (evaluator/task_trust.cc).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/file_util.h"
#include "tests/evaluator/task_loader_fixture.h"

namespace cambrian::evaluator {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::kGoodTask;
using testing::TaskLoaderTest;

TEST_F(TaskLoaderTest, JudgesSetupAndHiddenPaths) {
  absl::StatusOr<Task> task = Load(absl::StrReplaceAll(
      kGoodTask,
      {{"root = \"harness\"\n",
        "root = \"harness\"\nsetup = \"make judge\"\nsetup_timeout = \"2m\"\n"
        "hidden = [\"/usr/share/common-lic*\", \"/no/such/dir\"]\n"},
       {"pass_if = \"correct == 1\"", "pass_if = \"correct == 1\"\njudge = \"./judge check\""}}));
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->setup, "make judge");
  EXPECT_EQ(task->setup_timeout, absl::Minutes(2));
  EXPECT_THAT(task->hidden_patterns,
              ::testing::ElementsAre("/usr/share/common-lic*", "/no/such/dir"));
  // Globs expand to what exists now; a missing path is no error.
  if (fs::is_directory("/usr/share/common-licenses")) {
    EXPECT_THAT(task->hidden_paths, ::testing::ElementsAre("/usr/share/common-licenses"));
  }
  EXPECT_FALSE(task->stages[0].judged());
  EXPECT_EQ(task->stages[1].judge, "./judge check");
  EXPECT_TRUE(HasJudge(*task));
  EXPECT_THAT(ErrorFor("root = \"harness\"\n", "root = \"harness\"\nhidden = [\"../x\"]\n"),
              HasSubstr("'../x' must be a path without '..' components"));
  EXPECT_THAT(ErrorFor("root = \"harness\"\n", "root = \"harness\"\nhidden = [\".\"]\n"),
              HasSubstr("would hide the whole task"));
  EXPECT_THAT(ErrorFor("root = \"harness\"\n", "root = \"harness\"\nhidden = [\"/usr/\"]\n"),
              HasSubstr("would hide the system"));
  EXPECT_THAT(ErrorFor("root = \"harness\"\n", "root = \"harness\"\nhidden = \"/x\"\n"),
              HasSubstr("key 'trusted.hidden'"));
  EXPECT_THAT(ErrorFor("root = \"harness\"\n", "root = \"harness\"\nsetup = \"\"\n"),
              HasSubstr("key 'trusted.setup'"));
  EXPECT_THAT(ErrorFor("pass_if = \"correct == 1\"", "judge = \"\""), HasSubstr("stages[1].judge"));
}

// Grader-only files shipped with the task: relative to its directory.
TEST_F(TaskLoaderTest, RelativeHiddenPathsAreTheTasksOwnFiles) {
  ASSERT_TRUE(WriteFile(dir_ / "harness" / "answers" / "a.txt", "42").ok());
  ASSERT_TRUE(WriteFile(dir_ / "harness" / "answers" / "b.txt", "43").ok());
  absl::StatusOr<Task> task = Load(absl::StrReplaceAll(
      kGoodTask,
      {{"root = \"harness\"\n", "root = \"harness\"\nhidden = [\"harness/answers/*\"]\n"}}));
  ASSERT_TRUE(task.ok()) << task.status();
  const fs::path answers = fs::absolute(dir_ / "harness" / "answers").lexically_normal();
  EXPECT_THAT(task->hidden_paths, ::testing::ElementsAre(answers / "a.txt", answers / "b.txt"));
}

TEST_F(TaskLoaderTest, Plausibility) {
  absl::StatusOr<Task> task = Load(absl::StrReplaceAll(
      kGoodTask,
      {{"tolerance = 0.25", "plausible = [0, 400]\nplausible_if = \"gflops < 2 * peak\""}}));
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->plausible_lo, 0);
  EXPECT_EQ(task->plausible_hi, 400);
  EXPECT_EQ(task->plausible_if, "gflops < 2 * peak");
  EXPECT_THAT(ErrorFor("tolerance = 0.25", "plausible = [5, 1]"),
              HasSubstr("key 'fitness.plausible': expected [lo, hi] with lo <= hi"));
  EXPECT_THAT(ErrorFor("tolerance = 0.25", "plausible = 3"), HasSubstr("fitness.plausible"));
  EXPECT_THAT(ErrorFor("tolerance = 0.25", "plausible_if = \"gflops <\""),
              HasSubstr("fitness.plausible_if"));
}

}  // namespace
}  // namespace cambrian::evaluator
