#include "evaluator/worker_executor.h"

#include <fcntl.h>
#include <httplib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "common/token.h"
#include "common/untrusted_text.h"
#include "evaluator/evaluation_json.h"
#include "evaluator/worker_protocol.h"
#include "nlohmann/json.hpp"

namespace cambrian::evaluator {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kMaxArrays = 4;  // the first and 3 replacements
constexpr absl::Duration kArrayCheckEvery = absl::Seconds(10);

bool Active(const std::string& state) {
  return state == "PENDING" || state == "RUNNING" || state == "CONFIGURING" ||
         state == "COMPLETING" || state == "REQUEUED" || state == "RESIZING" ||
         state == "SUSPENDED";
}

std::string ThisHost() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

// Writes `content` to `path` (via a temporary file and rename) readable by
// the owner only from its creation on.
absl::Status WriteSecret(const fs::path& path, const std::string& content) {
  const fs::path temporary = path.string() + ".tmp";
  unlink(temporary.c_str());
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot create ", temporary.string()));
  const bool written =
      write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  if (close(fd) != 0 || !written || rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  }
  return absl::OkStatus();
}

// The port an earlier controller of this run listened on, 0 if none.
int EarlierPort(const fs::path& address_file) {
  std::optional<std::pair<std::string, int>> address =
      ParseAddress(ReadFile(address_file).value_or(""));
  return address ? address->second : 0;
}

}  // namespace

WorkerExecutor::WorkerExecutor(SlurmClient& client, SlurmOptions options, SlurmJobPlan plan,
                               WorkerOptions workers)
    : client_(client),
      options_(std::move(options)),
      plan_(std::move(plan)),
      workers_(std::move(workers)),
      board_(clock_, kLeaseTtl, /*max_expiries=*/3) {}

WorkerExecutor::~WorkerExecutor() {
  stopping_ = true;
  board_.Close();
  if (server_) server_->stop();
  if (serving_.joinable()) serving_.join();
  if (maintaining_.joinable()) maintaining_.join();
  if (!array_id_.empty()) {
    if (absl::Status cancelled = client_.Cancel({array_id_}); !cancelled.ok()) {
      LogWarning(absl::StrCat("cancelling the workers' array: ", cancelled.message()));
    }
  }
}

absl::Status WorkerExecutor::Start() {
  const fs::path root = plan_.jobs_root;
  std::error_code ec;
  fs::create_directories(root, ec);
  // The token survives a controller restart so that the workers keep it.
  const fs::path token_file = root / "workers.token";
  absl::StatusOr<std::string> token = ReadFile(token_file);
  token_ = token.ok() ? std::string(absl::StripAsciiWhitespace(*token)) : "";
  if (token_.empty()) {
    token_ = MakeToken();
    if (token_.empty()) return absl::InternalError("cannot make the workers' token");
    CAMBRIAN_RETURN_IF_ERROR(WriteSecret(token_file, token_ + "\n"));
  }
  server_ = std::make_unique<httplib::Server>();
  // Every worker may hold a long-polling /v1/lease at once, plus headroom
  // for heartbeats and results.
  const size_t threads = static_cast<size_t>(std::max(1, workers_.workers)) + 4;
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  Route();
  const int earlier = EarlierPort(root / "controller");
  port_ = earlier > 0 && server_->bind_to_port("0.0.0.0", earlier)
              ? earlier
              : server_->bind_to_any_port("0.0.0.0");
  if (port_ <= 0) return absl::UnavailableError("the workers' server cannot listen on any port");
  serving_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() is only heard once the server runs: wait for it, so that a
  // failure below cannot leave the destructor joining a server never stopped.
  for (int i = 0; i < 500 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::string host = workers_.host.empty() ? ThisHost() : workers_.host;
  CAMBRIAN_RETURN_IF_ERROR(WriteFile(root / "controller", absl::StrCat(host, ":", port_, "\n")));
  LogInfo(absl::StrCat("workers connect to ", host, ":", port_));
  // An array a killed controller of this run left is kept: its workers
  // come back to this one.
  absl::StatusOr<std::vector<SlurmJobState>> jobs =
      client_.Named(SlurmJobName(plan_.jobs_root, "workers"));
  if (jobs.ok()) {
    for (const SlurmJobState& job : *jobs) {
      if (!Active(job.state)) continue;
      array_id_ = job.id.substr(0, job.id.find('_'));
    }
  }
  if (!array_id_.empty()) {
    LogInfo(absl::StrCat("re-attached to the workers' array ", array_id_));
    // Its workers may still hold leases of the earlier controller: answer
    // them until the work is queued again (LeaseBoard::Grace).
    board_.Grace(clock_.Now() + kLeaseTtl);
  } else {
    CAMBRIAN_RETURN_IF_ERROR(SubmitArray());
  }
  maintaining_ = std::thread([this] { Maintain(); });
  return absl::OkStatus();
}

absl::Status WorkerExecutor::SubmitArray() {
  const fs::path root = plan_.jobs_root;
  CAMBRIAN_RETURN_IF_ERROR(WriteFile(
      root / "workers.sh",
      BatchScript(plan_, "workers", "worker",
                  absl::StrCat("--connect ", ShellQuote((root / "controller").string()),
                               " --token-file ", ShellQuote((root / "workers.token").string())),
                  "--name \"$SLURM_ARRAY_JOB_ID.$SLURM_ARRAY_TASK_ID\"")));
  std::vector<std::string> args = {
      absl::StrCat("--job-name=", SlurmJobName(plan_.jobs_root, "workers")),
      absl::StrCat("--array=0-", std::max(1, workers_.workers) - 1),
      absl::StrCat("--output=", (root / "workers-%A_%a.out").string()),
      absl::StrCat("--chdir=", root.string()),
  };
  if (options_.time_limit > absl::ZeroDuration()) {
    args.push_back(absl::StrCat("--time=", SlurmMinutes(options_.time_limit)));
  }
  std::vector<std::string> resources = ResourceArgs(options_, plan_.resources);
  args.insert(args.end(), resources.begin(), resources.end());
  absl::StatusOr<std::string> id = client_.Submit(root / "workers.sh", args);
  if (!id.ok()) return Annotate(id.status(), "submitting the workers' array");
  array_id_ = *id;
  ++arrays_;
  LogInfo(absl::StrCat("workers: Slurm array ", array_id_, " of ", workers_.workers, " task(s)"));
  return absl::OkStatus();
}

void WorkerExecutor::Maintain() {
  absl::Time last_check = absl::Now();
  absl::Time idle_since = absl::Now();  // no worker running since (or the array's start)
  while (!stopping_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    if (int expired = board_.Expire(); expired > 0) {
      LogWarning(absl::StrCat(expired,
                              " worker lease(s) expired: their evaluations go back to "
                              "the queue"));
    }
    if (board_.leased() > 0) idle_since = absl::Now();
    if (absl::Now() - last_check < kArrayCheckEvery || board_.queued() == 0) continue;
    last_check = absl::Now();
    absl::StatusOr<std::vector<SlurmJobState>> jobs =
        client_.Named(SlurmJobName(plan_.jobs_root, "workers"));
    if (!jobs.ok()) continue;
    bool alive = false, running = false;
    std::string reason;
    for (const SlurmJobState& job : *jobs) {
      alive = alive || Active(job.state);
      running = running || job.state == "RUNNING";
      if (job.state == "PENDING") reason = job.reason;
    }
    if (running) idle_since = absl::Now();
    if (alive && absl::Now() - idle_since > options_.pending_limit) {
      board_.FailQueued(absl::FailedPreconditionError(
          absl::StrCat("no worker of Slurm array ", array_id_, " has run for ",
                       absl::FormatDuration(options_.pending_limit), " (Slurm's reason: ", reason,
                       "). Check the partition, account and resources (docs/slurm.md)")));
      continue;
    }
    if (alive) continue;
    if (arrays_ >= kMaxArrays) {
      board_.FailQueued(absl::UnavailableError(absl::StrCat(
          "no worker is left and the workers' array was replaced ", arrays_ - 1,
          " times; their output is in ", (plan_.jobs_root / "workers-*.out").string())));
      continue;
    }
    LogWarning(absl::StrCat("no worker of array ", array_id_, " is left: submitting a new one"));
    if (absl::Status submitted = SubmitArray(); !submitted.ok()) {
      LogWarning(std::string(submitted.message()));
    }
    idle_since = absl::Now();
  }
}

absl::StatusOr<Evaluation> WorkerExecutor::Evaluate(const Program& program,
                                                    const std::string& job_name, uint64_t seed,
                                                    const std::atomic<bool>* cancel,
                                                    const std::optional<std::vector<int>>&) const {
  absl::StatusOr<Evaluation> evaluation =
      board_.Run({job_name, seed, program, RequestOf(seed, program)}, cancel);
  if (!evaluation.ok()) {
    return absl::Status(evaluation.status().code(),
                        absl::StrCat(evaluation.status().message(), " (the workers' output: ",
                                     (plan_.jobs_root / "workers-*.out").string(), ")"));
  }
  return evaluation;
}

void WorkerExecutor::Resuming(const std::set<std::string>& wanted_jobs) const {
  board_.Hold(wanted_jobs, clock_.Now() + kLeaseTtl);
}

void WorkerExecutor::Route() {
  server_->set_pre_routing_handler(
      [this](const httplib::Request& request, httplib::Response& response) {
        const std::string header = request.get_header_value("Authorization");
        if (absl::StartsWith(header, "Bearer ") && SameToken(header.substr(7), token_)) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        response.status = 401;
        return httplib::Server::HandlerResponse::Handled;
      });
  server_->Post("/v1/lease", [this](const httplib::Request& request, httplib::Response& response) {
    const json body = json::parse(request.body, nullptr, false);
    const std::string worker = body.is_object() ? body.value("worker", "?") : "?";
    std::optional<Lease> lease = board_.Take(worker, kLeaseWait);
    if (!lease) {
      response.status = 204;
      return;
    }
    response.set_content(LeaseToJson(*lease), "application/json");
  });
  server_->Post("/v1/heartbeat",
                [this](const httplib::Request& request, httplib::Response& response) {
                  const json body = json::parse(request.body, nullptr, false);
                  if (!body.is_object()) {
                    response.status = 400;
                    return;
                  }
                  absl::Status alive = board_.Heartbeat(
                      body.value("lease", ""), body.value("job", ""), body.value("request", ""));
                  response.status = alive.ok() ? 200 : 410;
                });
  server_->Post("/v1/result", [this](const httplib::Request& request, httplib::Response& response) {
    const json body = json::parse(request.body, nullptr, false);
    // A worker whose evaluation failed because the task is broken (its
    // fitness program, its setup) sends the error: the run stops with it.
    if (body.is_object() && body.value("error", json()).is_string()) {
      absl::Status taken =
          board_.Deliver(body.value("lease", ""), body.value("job", ""), body.value("request", ""),
                         absl::FailedPreconditionError(body["error"].get<std::string>()));
      response.status = taken.ok() ? 200 : 410;
      return;
    }
    absl::StatusOr<Evaluation> evaluation = body.is_object() && body.contains("evaluation")
                                                ? EvaluationFromJson(body["evaluation"].dump())
                                                : absl::DataLossError("no evaluation");
    if (!evaluation.ok()) {
      response.status = 400;
      response.set_content(std::string(evaluation.status().message()), "text/plain");
      return;
    }
    absl::Status taken = board_.Deliver(body.value("lease", ""), body.value("job", ""),
                                        body.value("request", ""), *std::move(evaluation));
    response.status = taken.ok() ? 200 : 410;
  });
}

}  // namespace cambrian::evaluator
