// The workers-mode executor's HTTP side, in process: a stand-in Slurm client
// (the array is "submitted" and never runs) and this test as the worker,
// speaking the protocol of worker_protocol.h with a real HTTP client.
// tests/slurm/workers_test.sh runs real workers on a real cluster.
#include "evaluator/worker_executor.h"

#include <httplib.h>

#include <filesystem>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "evaluator/evaluation_json.h"
#include "evaluator/worker_protocol.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace cambrian::evaluator {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ArrayOnlySlurm : public SlurmClient {
 public:
  absl::StatusOr<std::string> Submit(const fs::path& script,
                                     const std::vector<std::string>& args) override {
    submitted = args;
    ++submissions;
    script_text = ReadFile(script).value_or("");
    return std::string("500");
  }
  absl::StatusOr<std::map<std::string, SlurmJobState>> Query(
      const std::vector<std::string>&) override {
    return std::map<std::string, SlurmJobState>{};
  }
  // The array is alive once submitted (and not cancelled).
  absl::StatusOr<std::vector<SlurmJobState>> Named(const std::string& prefix) override {
    if (submissions == 0) return std::vector<SlurmJobState>{};
    return std::vector<SlurmJobState>{{"500_0", prefix, "RUNNING", "None", "n1"}};
  }
  absl::Status Cancel(const std::vector<std::string>& ids) override {
    cancelled.insert(cancelled.end(), ids.begin(), ids.end());
    return absl::OkStatus();
  }
  std::vector<std::string> submitted, cancelled;
  int submissions = 0;
  std::string script_text;
};

TEST(WorkerExecutorTest, AWorkerWithTheTokenLeasesAndDeliversOthersAreRefused) {
  const fs::path root = fs::path(::testing::TempDir()) / absl::StrCat("workers_", getpid());
  fs::remove_all(root);
  ArrayOnlySlurm slurm;
  SlurmJobPlan plan;
  plan.cambrian = "/opt/cambrian";
  plan.task_dir = "/tasks/t";
  plan.jobs_root = root;
  {
    WorkerExecutor executor(slurm, {}, plan, {.workers = 2, .host = "127.0.0.1"});
    ASSERT_TRUE(executor.Start().ok());
    EXPECT_EQ(executor.array_id(), "500");
  }
  EXPECT_EQ(slurm.cancelled, std::vector<std::string>{"500"});  // stopping cancels the array
  EXPECT_THAT(slurm.submitted, ::testing::Contains("--array=0-1"));
  EXPECT_THAT(slurm.script_text,
              ::testing::HasSubstr("exec /opt/cambrian worker /tasks/t --connect "));
  const std::string token =
      std::string(absl::StripAsciiWhitespace(*ReadFile(root / "workers.token")));
  EXPECT_EQ(token.size(), 32u);
  EXPECT_EQ(fs::status(root / "workers.token").permissions() & fs::perms::others_read,
            fs::perms::none);

  // A second controller of the run (a resume) keeps the live array.
  WorkerExecutor executor(slurm, {}, plan, {.workers = 2, .host = "127.0.0.1"});
  ASSERT_TRUE(executor.Start().ok());
  EXPECT_EQ(executor.array_id(), "500");
  EXPECT_EQ(slurm.submissions, 1);
  EXPECT_EQ(*ReadFile(root / "controller"), absl::StrCat("127.0.0.1:", executor.port(), "\n"));
  httplib::Client client("127.0.0.1", executor.port());
  client.set_read_timeout(30, 0);
  const httplib::Headers good = {{"Authorization", "Bearer " + token}};
  const httplib::Headers bad = {{"Authorization", "Bearer " + std::string(32, '0')}};
  EXPECT_EQ(client.Post("/v1/lease", bad, "{}", "application/json")->status, 401);
  EXPECT_EQ(client.Post("/v1/lease", "{}", "application/json")->status, 401);

  std::thread worker([&] {
    httplib::Result leased =
        client.Post("/v1/lease", good, R"({"worker": "w"})", "application/json");
    while (leased && leased->status == 204) {
      leased = client.Post("/v1/lease", good, R"({"worker": "w"})", "application/json");
    }
    ASSERT_TRUE(leased && leased->status == 200);
    absl::StatusOr<Lease> lease = LeaseFromJson(leased->body);
    ASSERT_TRUE(lease.ok()) << lease.status();
    EXPECT_EQ(lease->work.job, "c3");
    json heartbeat = {{"lease", lease->id}, {"job", "c3"}, {"request", lease->work.request}};
    EXPECT_EQ(client.Post("/v1/heartbeat", bad, heartbeat.dump(), "application/json")->status, 401);
    EXPECT_EQ(client.Post("/v1/heartbeat", good, heartbeat.dump(), "application/json")->status,
              200);
    Evaluation done;
    done.fitness = 7;
    heartbeat["evaluation"] = json::parse(EvaluationToJson(done));
    EXPECT_EQ(client.Post("/v1/result", good, heartbeat.dump(), "application/json")->status, 200);
  });
  absl::StatusOr<Evaluation> evaluation = executor.Evaluate({{"a.sh", "X=1\n"}}, "c3", 4, nullptr);
  worker.join();
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->fitness, 7);
  fs::remove_all(root);
}

TEST(WorkerExecutorTest, ATaskErrorOnAWorkerStopsTheEvaluationWithItsMessage) {
  const fs::path root = fs::path(::testing::TempDir()) / absl::StrCat("workers_error_", getpid());
  fs::remove_all(root);
  ArrayOnlySlurm slurm;
  SlurmJobPlan plan;
  plan.cambrian = "/opt/cambrian";
  plan.task_dir = "/tasks/t";
  plan.jobs_root = root;
  WorkerExecutor executor(slurm, {}, plan, {.workers = 1, .host = "127.0.0.1"});
  ASSERT_TRUE(executor.Start().ok());
  const std::string token =
      std::string(absl::StripAsciiWhitespace(*ReadFile(root / "workers.token")));
  httplib::Client client("127.0.0.1", executor.port());
  client.set_read_timeout(30, 0);
  const httplib::Headers good = {{"Authorization", "Bearer " + token}};
  std::thread worker([&] {
    httplib::Result leased =
        client.Post("/v1/lease", good, R"({"worker": "w"})", "application/json");
    while (leased && leased->status == 204) {
      leased = client.Post("/v1/lease", good, R"({"worker": "w"})", "application/json");
    }
    ASSERT_TRUE(leased && leased->status == 200);
    absl::StatusOr<Lease> lease = LeaseFromJson(leased->body);
    ASSERT_TRUE(lease.ok()) << lease.status();
    const json failed = {{"lease", lease->id},
                         {"job", "c4"},
                         {"request", lease->work.request},
                         {"error", "task 't': its [fitness] program failed (exit code 1)"}};
    EXPECT_EQ(client.Post("/v1/result", good, failed.dump(), "application/json")->status, 200);
  });
  absl::StatusOr<Evaluation> evaluation = executor.Evaluate({{"a.sh", "X=1\n"}}, "c4", 4, nullptr);
  worker.join();
  ASSERT_FALSE(evaluation.ok());
  EXPECT_EQ(evaluation.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(evaluation.status().message(), ::testing::HasSubstr("its [fitness] program failed"));
  fs::remove_all(root);
}

}  // namespace
}  // namespace cambrian::evaluator
