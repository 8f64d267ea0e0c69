// `cambrian worker TASK --connect FILE --token-file FILE`: one worker of the
// Slurm executor's workers mode (evaluator/worker_executor.h), started by
// the controller's job array on a compute node. It prepares the task once,
// then leases evaluations from the controller, runs each in this node's
// sandbox with a heartbeat going, and sends back the result.
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/file_util.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "evaluator/evaluation_json.h"
#include "evaluator/task_loader.h"
#include "evaluator/worker_protocol.h"
#include "nlohmann/json.hpp"
#include "orchestrator/commands/commands.h"
#include "orchestrator/commands/eval_once.h"
#include "orchestrator/task_locator.h"

namespace cambrian::orchestrator {
namespace {

using nlohmann::json;

// How long a worker keeps trying to reach a controller that does not answer
// (a resumed controller comes back within this).
constexpr absl::Duration kPatience = absl::Minutes(10);

std::atomic<bool> g_stop{false};  // SIGTERM (scancel, time limit) or SIGINT

struct WorkerOptions {
  std::string task, profile, sandbox = "auto", connect, token_file, name;
};

// The controller as the shared files describe it. The token is read once
// (it outlives controllers); the address again after a failed connection,
// since a resumed controller may listen elsewhere.
class ControllerLink {
 public:
  explicit ControllerLink(const WorkerOptions& options)
      : options_(options),
        token_(std::string(absl::StripAsciiWhitespace(ReadFile(options.token_file).value_or("")))) {
  }

  // POSTs `body` to `path`: the HTTP status and body, or nullopt if the
  // controller could not be reached.
  std::optional<std::pair<int, std::string>> Post(const std::string& path, const json& body,
                                                  absl::Duration read_timeout) {
    std::optional<std::pair<std::string, int>> address;
    {
      absl::MutexLock lock(&mutex_);  // the heartbeat thread posts too
      if (!address_) address_ = evaluator::ParseAddress(ReadFile(options_.connect).value_or(""));
      address = address_;
    }
    if (!address) return std::nullopt;
    httplib::Client client(address->first, address->second);
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(absl::ToInt64Seconds(read_timeout), 0);
    httplib::Result result =
        client.Post(path, {{"Authorization", "Bearer " + token_}},
                    body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
    if (!result) {
      absl::MutexLock lock(&mutex_);
      address_.reset();
      return std::nullopt;
    }
    return std::make_pair(result->status, result->body);
  }

 private:
  const WorkerOptions& options_;
  const std::string token_;
  absl::Mutex mutex_;
  std::optional<std::pair<std::string, int>> address_;
};

// Heartbeats `lease` every few seconds until `done`; sets `cancel` when the
// controller says the lease is gone or the worker is told to stop.
void Heartbeat(ControllerLink& link, const evaluator::Lease& lease, std::atomic<bool>& done,
               std::atomic<bool>& cancel) {
  const json body = {{"lease", lease.id}, {"job", lease.work.job}, {"request", lease.work.request}};
  absl::Time next = absl::Now() + evaluator::kHeartbeatEvery;
  while (!done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (g_stop) cancel = true;
    if (absl::Now() < next) continue;
    next = absl::Now() + evaluator::kHeartbeatEvery;
    std::optional<std::pair<int, std::string>> reply =
        link.Post("/v1/heartbeat", body, absl::Seconds(10));
    if (reply && reply->first == 410) {
      LogWarning(absl::StrCat("lease of ", lease.work.job, " revoked: stopping it"));
      cancel = true;
    }
  }
}

// Sends the result until the controller takes it (or says it is redone).
void Deliver(ControllerLink& link, const evaluator::Lease& lease,
             const absl::StatusOr<evaluator::Evaluation>& evaluation) {
  json body = {{"lease", lease.id}, {"job", lease.work.job}, {"request", lease.work.request}};
  if (evaluation.ok()) {
    body["evaluation"] = json::parse(evaluator::EvaluationToJson(*evaluation));
  } else {
    body["error"] = std::string(evaluation.status().message());
  }
  const absl::Time give_up = absl::Now() + kPatience;
  while (absl::Now() < give_up) {
    std::optional<std::pair<int, std::string>> reply =
        link.Post("/v1/result", body, absl::Seconds(30));
    if (reply && (reply->first == 200 || reply->first == 410)) return;
    if (reply && reply->first != 401 && reply->first < 500) {
      LogWarning(absl::StrCat("the controller refused the result of ", lease.work.job, ": ",
                              reply->second));
      return;
    }
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
}

absl::StatusOr<int> Work(const WorkerOptions& options) {
  CAMBRIAN_ASSIGN_OR_RETURN(std::filesystem::path task_path, ResolveTask(options.task));
  CAMBRIAN_ASSIGN_OR_RETURN(Task task, evaluator::LoadTask(task_path, options.profile));
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<int> gpus, EvalGpus(task, false));
  CAMBRIAN_ASSIGN_OR_RETURN(std::unique_ptr<NodeEvaluator> node,
                            NodeEvaluator::Make(task, {.sandbox = options.sandbox}));
  const std::string name = options.name.empty() ? absl::StrCat("worker-", getpid()) : options.name;
  ControllerLink link(options);
  absl::Time last_contact = absl::Now();
  int evaluated = 0;
  while (!g_stop) {
    std::optional<std::pair<int, std::string>> reply =
        link.Post("/v1/lease", {{"worker", name}}, evaluator::kLeaseWait + absl::Seconds(10));
    if (!reply) {
      if (absl::Now() - last_contact > kPatience) break;  // the run is over
      std::this_thread::sleep_for(std::chrono::seconds(2));
      continue;
    }
    last_contact = absl::Now();
    if (reply->first == 401) return absl::PermissionDeniedError("the controller refused the token");
    if (reply->first != 200) continue;  // 204: nothing to do yet
    CAMBRIAN_ASSIGN_OR_RETURN(evaluator::Lease lease, evaluator::LeaseFromJson(reply->second));
    LogInfo(absl::StrCat("worker ", name, ": evaluating ", lease.work.job));
    std::atomic<bool> done{false}, cancel{false};
    std::thread heartbeat([&] { Heartbeat(link, lease, done, cancel); });
    absl::StatusOr<evaluator::Evaluation> evaluation = node->evaluator().Evaluate(
        lease.work.program, lease.work.job, lease.work.seed, &cancel, gpus);
    done = true;
    heartbeat.join();
    // The task is broken (its fitness program or setup failed): the
    // controller stops the run with the error. Any other harness failure
    // ends this worker; its lease expires and another worker takes the
    // evaluation.
    if (absl::IsFailedPrecondition(evaluation.status())) Deliver(link, lease, evaluation);
    if (!evaluation.ok()) return evaluation.status();
    if (cancel) continue;
    Deliver(link, lease, *evaluation);
    ++evaluated;
  }
  LogInfo(absl::StrCat("worker ", name, ": ", evaluated, " evaluations, stopping"));
  return 0;
}

}  // namespace

Command WorkerCommand() {
  return {"worker",
          "Serve a run's evaluations on this node (started by --executor slurm "
          "--slurm-mode workers)",
          [](CLI::App& app) {
            auto options = std::make_shared<WorkerOptions>();
            app.add_option("task", options->task, "Task directory")->required();
            app.add_option("--connect", options->connect,
                           "File holding the controller's HOST:PORT (RUN/slurm/controller)")
                ->required();
            app.add_option("--token-file", options->token_file,
                           "File holding the run's token (RUN/slurm/workers.token)")
                ->required();
            app.add_option("--profile", options->profile, "Task profile");
            app.add_option("--sandbox", options->sandbox, "auto, bwrap or process")
                ->capture_default_str();
            app.add_option("--name", options->name, "This worker's name in the controller's log");
            return [options] {
              struct sigaction action = {};
              action.sa_handler = [](int) { g_stop = true; };
              sigaction(SIGTERM, &action, nullptr);
              sigaction(SIGINT, &action, nullptr);
              return ResultOf(Work(*options));
            };
          }};
}

}  // namespace cambrian::orchestrator
