#include "evaluator/warm_judge.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"

namespace cambrian::evaluator {
namespace {

// The largest answer read: a report is refused past 1 MiB anyway.
constexpr size_t kMaxAnswerBytes = size_t{1} << 20;

// Sends one message, with `fds` as SCM_RIGHTS when there are any.
bool SendWithFds(int socket, const std::string& message, const std::vector<int>& fds) {
  iovec data{const_cast<char*>(message.data()), message.size()};
  msghdr header{};
  header.msg_iov = &data;
  header.msg_iovlen = 1;
  std::vector<char> control(CMSG_SPACE(sizeof(int) * std::max<size_t>(fds.size(), 1)));
  if (!fds.empty()) {
    header.msg_control = control.data();
    header.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr* rights = CMSG_FIRSTHDR(&header);
    rights->cmsg_level = SOL_SOCKET;
    rights->cmsg_type = SCM_RIGHTS;
    rights->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(rights), fds.data(), sizeof(int) * fds.size());
  }
  return sendmsg(socket, &header, MSG_NOSIGNAL) >= 0;
}

}  // namespace

struct WarmJudges::Process {
  int fd = -1;  // our end of the socket
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};  // the job has ended (set by the runner)
  std::thread runner;             // runs the sandbox job until it ends
  absl::StatusOr<sandbox::JobResult> ended = absl::UnknownError("running");
};

WarmJudges::WarmJudges(sandbox::Sandbox& sandbox,
                       std::function<absl::StatusOr<sandbox::JobSpec>(int)> make_spec,
                       absl::Duration timeout)
    : sandbox_(sandbox), make_spec_(std::move(make_spec)), timeout_(timeout) {}

WarmJudges::~WarmJudges() { Reset(); }

void WarmJudges::Stop(Process& process) {
  process.stop = true;
  if (process.runner.joinable()) process.runner.join();
  if (process.fd >= 0) close(process.fd);
  process.fd = -1;
}

void WarmJudges::Reset() {
  std::list<std::unique_ptr<Process>> idle;
  {
    std::lock_guard lock(mutex_);
    idle.swap(idle_);
  }
  for (auto& process : idle) Stop(*process);
}

absl::StatusOr<WarmJudges::Process*> WarmJudges::Acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      Process* process = idle_.front().release();
      idle_.pop_front();
      return process;
    }
  }
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
    return absl::InternalError(absl::StrCat("socketpair: ", strerror(errno)));
  }
  absl::StatusOr<sandbox::JobSpec> spec = make_spec_(started_++);
  if (!spec.ok()) {
    close(fds[0]);
    close(fds[1]);
    return spec.status();
  }
  auto process = std::make_unique<Process>();
  process->fd = fds[0];
  spec->inherit_fds = {fds[1]};
  spec->cancel = &process->stop;
  // The job holds its end from here on; ours goes, so that its death is EOF.
  auto theirs = std::make_shared<std::atomic<int>>(fds[1]);
  spec->on_start = [theirs](const sandbox::StartedJob&) { close(theirs->exchange(-1)); };
  Process* raw = process.get();
  raw->runner = std::thread([this, raw, spec = *std::move(spec), theirs] {
    raw->ended = sandbox_.Run(spec);
    if (int fd = theirs->exchange(-1); fd >= 0) close(fd);  // it never started
    raw->done = true;
  });
  return process.release();
}

void WarmJudges::Release(Process* process, bool keep) {
  std::unique_ptr<Process> owned(process);
  if (!keep) {
    Stop(*owned);
    return;
  }
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(owned));
}

std::optional<WarmReply> WarmJudges::Ask(Process& process, const std::string& request,
                                         const std::vector<int>& fds,
                                         const std::atomic<bool>* cancel) {
  WarmReply reply;
  const absl::Time start = absl::Now();
  if (!SendWithFds(process.fd, request, fds)) return std::nullopt;
  std::string buffer(kMaxAnswerBytes + 1, '\0');
  while (true) {
    const absl::Duration left = timeout_ - (absl::Now() - start);
    if (left <= absl::ZeroDuration() || (cancel != nullptr && cancel->load())) {
      const bool cancelled = cancel != nullptr && cancel->load();
      reply.judge.outcome = cancelled ? Outcome::kKilled : Outcome::kTimeout;
      reply.judge.detail = cancelled ? std::string("cancelled")
                                     : absl::StrFormat("warm judge: no answer after %s",
                                                       absl::FormatDuration(timeout_));
      reply.judge.wall_seconds = absl::ToDoubleSeconds(absl::Now() - start);
      return reply;
    }
    pollfd ready{process.fd, POLLIN, 0};
    const int polled = poll(&ready, 1, 50);
    if (polled < 0 && errno != EINTR) return std::nullopt;
    if (polled <= 0) continue;
    const ssize_t got = recv(process.fd, buffer.data(), buffer.size(), 0);
    if (got <= 0) return std::nullopt;  // it died, or closed its end
    reply.report.assign(buffer.data(), static_cast<size_t>(got));
    reply.judge.outcome = Outcome::kOk;
    reply.judge.exit_code = 0;
    reply.judge.wall_seconds = absl::ToDoubleSeconds(absl::Now() - start);
    if (reply.report.size() > kMaxAnswerBytes) {
      reply.judge.outcome = Outcome::kOutputLimit;
      reply.judge.detail = "warm judge: an answer over 1 MiB";
      reply.report.clear();
    }
    return reply;
  }
}

absl::StatusOr<WarmReply> WarmJudges::Judge(const WarmRequest& request,
                                            const std::atomic<bool>* cancel) {
  nlohmann::json message = {{"job_dir", request.job_dir},
                            {"candidate", request.candidate},
                            {"seed", request.seed},
                            {"stage", request.stage},
                            {"worker", request.worker_fd >= 0}};
  std::vector<int> fds;
  if (request.worker_fd >= 0) {
    fds.push_back(request.worker_fd);
    if (request.cpu_fd >= 0) {
      fds.push_back(request.cpu_fd);
      message["cpu_format"] = request.cpu_format;
    }
  }
  const std::string text = message.dump();
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<Process*> process = Acquire();
    if (!process.ok()) return process.status();
    std::optional<WarmReply> reply = Ask(**process, text, fds, cancel);
    if (reply && reply->judge.outcome == Outcome::kOk) {
      Release(*process, /*keep=*/true);
      return *std::move(reply);
    }
    // Stopped (timeout, cancel, too long an answer) or dead: never reused.
    // A process that closed its end is given a moment to exit on its own,
    // so that its own exit status, not our stop, is what is recorded.
    const absl::Time grace = absl::Now() + absl::Seconds(5);
    while (!reply && !(*process)->done && absl::Now() < grace)
      absl::SleepFor(absl::Milliseconds(5));
    (*process)->stop = true;
    if ((*process)->runner.joinable()) (*process)->runner.join();
    absl::StatusOr<sandbox::JobResult> ended = std::move((*process)->ended);
    Release(*process, /*keep=*/false);
    if (!ended.ok() && !reply) return ended.status();
    if (reply) return *std::move(reply);
    if (attempt == 1) {
      WarmReply failed;
      failed.judge = *std::move(ended);
      if (failed.judge.outcome == Outcome::kOk) failed.judge.outcome = Outcome::kRuntimeError;
      failed.judge.detail =
          absl::StrCat("warm judge died twice on this candidate (", failed.judge.detail, ")");
      return failed;
    }
  }
}

}  // namespace cambrian::evaluator
