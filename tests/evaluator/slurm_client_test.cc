// The CLI Slurm client against stand-in sbatch, squeue and scancel scripts
// on PATH (real processes; the real commands are exercised by
// tests/slurm/executor_test.sh), and RunTool itself.
#include "evaluator/slurm_client.h"

#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cambrian::evaluator {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

TEST(RunToolTest, CapturesBothOutputsAndTheExitCode) {
  absl::StatusOr<ToolOutput> output =
      RunTool({"sh", "-c", "echo out; echo err >&2; exit 3"}, absl::Seconds(30));
  ASSERT_TRUE(output.ok()) << output.status();
  EXPECT_EQ(output->exit_code, 3);
  EXPECT_EQ(output->out, "out\n");
  EXPECT_EQ(output->err, "err\n");
}

TEST(RunToolTest, AHangingCommandIsKilledAtItsTimeout) {
  absl::StatusOr<ToolOutput> output = RunTool({"sleep", "30"}, absl::Milliseconds(200));
  ASSERT_TRUE(output.ok()) << output.status();
  EXPECT_EQ(output->exit_code, -1);
  EXPECT_THAT(output->err, HasSubstr("killed after"));
  EXPECT_FALSE(RunTool({"/no/such/command"}, absl::Seconds(5)).ok());
}

TEST(ParseSqueueTest, ReadsTheFiveFieldsAndSkipsTheRest) {
  const std::vector<SlurmJobState> jobs = ParseSqueue(
      "12|cambrian-ab-c1|RUNNING|None|n1\n"
      "  13|cambrian-ab-c2|PENDING|Resources|  \n"
      "garbage\n"
      "|x|RUNNING|None|n1\n");
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].id, "12");
  EXPECT_EQ(jobs[0].nodes, "n1");
  EXPECT_EQ(jobs[1].state, "PENDING");
  EXPECT_EQ(jobs[1].reason, "Resources");
  EXPECT_EQ(jobs[1].nodes, "");
}

class CliSlurmClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_ = fs::path(::testing::TempDir()) / absl::StrCat("fake_slurm_", getpid());
    fs::create_directories(bin_);
    old_path_ = getenv("PATH");
    setenv("PATH", (bin_.string() + ":" + old_path_).c_str(), 1);
  }
  void TearDown() override {
    setenv("PATH", old_path_.c_str(), 1);
    fs::remove_all(bin_);
  }
  void Tool(const std::string& name, const std::string& body) {
    ASSERT_TRUE(WriteFile(bin_ / name, "#!/bin/sh\n" + body + "\n").ok());
    fs::permissions(bin_ / name, fs::perms::owner_all);
  }
  fs::path bin_;
  std::string old_path_;
};

TEST_F(CliSlurmClientTest, SubmitReadsTheParsableId) {
  Tool("sbatch", "echo \"$@\" > \"$(dirname \"$0\")/args\"; echo '4711;cluster'");
  CliSlurmClient client;
  absl::StatusOr<std::string> id = client.Submit("/runs/x/job.sh", {"--job-name=j"});
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, "4711");
  EXPECT_EQ(ReadFile(bin_ / "args").value(), "--parsable --job-name=j /runs/x/job.sh\n");
  Tool("sbatch", "echo 'sbatch: error: invalid partition specified: gpu' >&2; exit 1");
  absl::StatusOr<std::string> refused = client.Submit("/runs/x/job.sh", {});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("invalid partition"));
}

TEST_F(CliSlurmClientTest, OneSqueueForManyJobs) {
  Tool("squeue",
       "echo \"$@\" >> \"$(dirname \"$0\")/calls\"\n"
       "echo '5|cambrian-t-c1|COMPLETED|None|n1'\necho '6|cambrian-t-c2|RUNNING|None|n2'");
  CliSlurmClient client;
  absl::StatusOr<std::map<std::string, SlurmJobState>> states = client.Query({"5", "6", "7"});
  ASSERT_TRUE(states.ok()) << states.status();
  EXPECT_EQ(states->size(), 2u);  // 7 is forgotten
  EXPECT_EQ(states->at("6").state, "RUNNING");
  EXPECT_THAT(ReadFile(bin_ / "calls").value(), HasSubstr("--states=all --jobs 5,6,7"));
  absl::StatusOr<std::vector<SlurmJobState>> named = client.Named("cambrian-t-c2");
  ASSERT_TRUE(named.ok());
  ASSERT_EQ(named->size(), 1u);
  EXPECT_EQ((*named)[0].id, "6");
  // squeue fails for a single id it no longer knows: that is an answer.
  Tool("squeue", "echo 'slurm_load_jobs error: Invalid job id specified' >&2; exit 1");
  absl::StatusOr<std::map<std::string, SlurmJobState>> gone = client.Query({"9"});
  ASSERT_TRUE(gone.ok()) << gone.status();
  EXPECT_TRUE(gone->empty());
  EXPECT_EQ(client.Query({"9", "10"}).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(CliSlurmClientTest, CancellingAnEndedJobIsNotAFailure) {
  Tool("scancel",
       "echo 'scancel: error: Kill job error on job id 5: Invalid job id specified' "
       ">&2; exit 1");
  CliSlurmClient client;
  EXPECT_TRUE(client.Cancel({"5"}).ok());
  Tool("scancel", "echo 'scancel: error: Unable to contact slurm controller' >&2; exit 1");
  EXPECT_EQ(client.Cancel({"5"}).code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace cambrian::evaluator
