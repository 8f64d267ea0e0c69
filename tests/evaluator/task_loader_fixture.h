// The task loader tests' shared task file and fixture (task_loader_test.cc,
// task_trust_test.cc).
#ifndef CAMBRIAN_TESTS_EVALUATOR_TASK_LOADER_FIXTURE_H_
#define CAMBRIAN_TESTS_EVALUATOR_TASK_LOADER_FIXTURE_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "absl/strings/str_replace.h"
#include "common/file_util.h"
#include "evaluator/task_loader.h"

namespace cambrian::evaluator::testing {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

inline constexpr char kGoodTask[] = R"(name = "matmul-cpu"
description = "Multiply matrices fast."
instructions = "program.md"

[program]
root = "program"
editable = ["*.cpp"]

[trusted]
root = "harness"

[[stages]]
name = "build"
run = "g++ -O3 matmul.cpp $CAMBRIAN_TRUSTED/bench.cpp -o bench"
timeout = "90s"

[[stages]]
name = "check"
run = "./bench --check"
timeout = "30s"
pass_if = "correct == 1"

[fitness]
score = "gflops"
goal = "maximize"
tolerance = 0.25

[features]
code_lines = { bins = 4, range = [20, 400] }

[resources]
cpus = 2
memory = "2GiB"
gpus = 1
output = "1MiB"
file_size = "64MiB"
)";

class TaskLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("task_loader_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    ASSERT_TRUE(WriteFile(dir_ / "program" / "matmul.cpp", "int main() {}\n").ok());
    ASSERT_TRUE(WriteFile(dir_ / "harness" / "bench.cpp", "// bench\n").ok());
    ASSERT_TRUE(WriteFile(dir_ / "program.md", "Make it fast.\n").ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  absl::StatusOr<Task> Load(const std::string& toml) {
    EXPECT_TRUE(WriteFile(dir_ / "task.toml", toml).ok());
    return LoadTask(dir_);
  }

  // Loads kGoodTask with `from` replaced by `to`, expects InvalidArgument
  // and returns the message.
  std::string ErrorFor(const std::string& from, const std::string& to) {
    std::string toml = kGoodTask;
    EXPECT_NE(toml.find(from), std::string::npos) << from;
    toml = absl::StrReplaceAll(toml, {{from, to}});
    absl::StatusOr<Task> task = Load(toml);
    EXPECT_FALSE(task.ok()) << "loaded despite replacing " << from << " by " << to;
    if (task.ok()) return "";
    EXPECT_EQ(task.status().code(), absl::StatusCode::kInvalidArgument);
    std::string message(task.status().message());
    EXPECT_THAT(message, HasSubstr((dir_ / "task.toml").string()));
    return message;
  }

  fs::path dir_;
};

}  // namespace cambrian::evaluator::testing

#endif  // CAMBRIAN_TESTS_EVALUATOR_TASK_LOADER_FIXTURE_H_
