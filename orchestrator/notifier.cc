#include "orchestrator/notifier.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/log.h"
#include "common/untrusted_text.h"

extern char** environ;

namespace cambrian::orchestrator {
namespace {

constexpr absl::Duration kCommandTimeout = absl::Seconds(30);

// Waits for `pid` up to `limit`; kills its process group after that.
absl::Status Reap(pid_t pid, absl::Duration limit) {
  const absl::Time deadline = absl::Now() + limit;
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0) return absl::InternalError("lost the notify command");
    if (absl::Now() > deadline) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      return absl::DeadlineExceededError("the notify command ran over 30 s");
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  return absl::UnavailableError(
      WIFEXITED(status) ? absl::StrCat("the notify command exited ", WEXITSTATUS(status))
                        : std::string("the notify command died of a signal"));
}

}  // namespace

std::string RedactedUrl(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "(a URL)";
  const size_t path = url.find('/', scheme + 3);
  std::string host = url.substr(0, path);
  if (const size_t at = host.find('@'); at != std::string::npos) {
    host = host.substr(0, scheme + 3) + host.substr(at + 1);  // no user:password
  }
  return path == std::string::npos ? host : host + "/...";
}

WebhookSink::WebhookSink(mutators::HttpTransport& transport, std::string url)
    : transport_(transport), url_(std::move(url)) {}

std::string WebhookSink::name() const { return absl::StrCat("webhook ", RedactedUrl(url_)); }

absl::Status WebhookSink::Deliver(const Notice& notice) {
  mutators::HttpRequest request;
  request.url = url_;
  request.headers = {{"Content-Type", "application/json"}};
  request.body = notice.json;
  request.connect_timeout = absl::Seconds(5);
  request.total_timeout = absl::Seconds(15);
  request.max_response_bytes = 64 << 10;
  absl::StatusOr<mutators::HttpResponse> response = transport_.Post(request);
  if (!response.ok()) return response.status();
  if (response->status / 100 != 2) {
    return absl::UnavailableError(
        absl::StrCat("HTTP ", response->status, ": ", QuoteForNote(response->body, 120)));
  }
  return absl::OkStatus();
}

CommandSink::CommandSink(std::string command) : command_(std::move(command)) {
  signal(SIGPIPE, SIG_IGN);
}

absl::Status CommandSink::Deliver(const Notice& notice) {
  // Everything the child needs is built before fork: only async-signal-safe
  // calls happen between fork and exec.
  std::vector<std::string> env_text;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).substr(0, 15) != "CAMBRIAN_EVENT=") env_text.push_back(*e);
  }
  env_text.push_back("CAMBRIAN_EVENT=" + notice.event);
  std::vector<char*> envp;
  for (std::string& entry : env_text) envp.push_back(entry.data());
  envp.push_back(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return absl::InternalError("pipe for the notify command");
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork for the notify command");
  if (pid == 0) {
    setpgid(0, 0);
    dup2(fds[0], STDIN_FILENO);
    const int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, STDOUT_FILENO);
    const char* argv[] = {"sh", "-c", command_.c_str(), nullptr};
    execve("/bin/sh", const_cast<char**>(argv), envp.data());
    _exit(127);
  }
  close(fds[0]);
  size_t written = 0;
  while (written < notice.json.size()) {
    const ssize_t n = write(fds[1], notice.json.data() + written, notice.json.size() - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  close(fds[1]);
  return Reap(pid, kCommandTimeout);
}

Notifier::Notifier(std::vector<std::unique_ptr<NoticeSink>> sinks,
                   std::vector<absl::Duration> retry_waits)
    : sinks_(std::move(sinks)), retry_waits_(std::move(retry_waits)) {
  thread_ = std::thread([this] { Loop(); });
}

Notifier::~Notifier() {
  Flush(absl::Seconds(20));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void Notifier::Post(Notice notice) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(notice));
  }
  changed_.notify_all();
}

void Notifier::Flush(absl::Duration limit) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait_for(lock, absl::ToChronoMilliseconds(limit),
                    [this] { return queue_.empty() && !busy_; });
}

void Notifier::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;  // what Flush could not deliver in time is dropped
    Notice notice = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    for (const auto& sink : sinks_) DeliverWithRetries(*sink, notice);
    lock.lock();
    busy_ = false;
    changed_.notify_all();
  }
}

void Notifier::DeliverWithRetries(NoticeSink& sink, const Notice& notice) {
  absl::Status status;
  for (size_t attempt = 0; attempt <= retry_waits_.size(); ++attempt) {
    if (attempt > 0) absl::SleepFor(retry_waits_[attempt - 1]);
    status = sink.Deliver(notice);
    if (status.ok()) return;
  }
  LogWarning(absl::StrCat("could not notify ", sink.name(), " of ", notice.event, " after ",
                          retry_waits_.size() + 1, " tries: ", status.message()));
}

RunNotices::RunNotices(Notifier& notifier, std::string run_dir, std::string task,
                       const Clock& clock)
    : notifier_(notifier), run_dir_(std::move(run_dir)), task_(std::move(task)), clock_(clock) {}

void RunNotices::Send(const std::string& event, const std::string& text, nlohmann::json fields) {
  fields["event"] = event;
  fields["text"] = absl::StrCat("cambrian ", task_, ": ", text);  // chat webhooks show "text"
  fields["task"] = task_;
  fields["run_dir"] = run_dir_;
  fields["time"] = absl::FormatTime(absl::RFC3339_sec, clock_.Now(), absl::UTCTimeZone());
  notifier_.Post({event, fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)});
}

void RunNotices::Evaluated(int64_t id, std::optional<double> fitness, bool new_best,
                           const std::string& note) {
  if (!fitness) {
    if (++failed_in_a_row_ == kStorm) {
      Send("error_storm",
           absl::StrCat(kStorm, " evaluations in a row failed; the last (#", id, "): ", note),
           {{"candidate", id}, {"failed_in_a_row", kStorm}, {"note", note}});
    }
    return;
  }
  failed_in_a_row_ = 0;
  if (!new_best) return;
  held_best_ = {{"candidate", id}, {"fitness", *fitness}};
  Tick();
}

void RunNotices::Tick() {
  if (held_best_.is_null() || clock_.Now() - last_best_sent_ < kBestEvery) return;
  const int64_t id = held_best_["candidate"].get<int64_t>();
  const double fitness = held_best_["fitness"].get<double>();
  Send("new_best", absl::StrFormat("new best #%d, fitness %.6g", id, fitness),
       std::move(held_best_));
  held_best_ = nlohmann::json();
  last_best_sent_ = clock_.Now();
}

void RunNotices::Ended(const std::string& reason, int64_t evaluated, std::optional<int64_t> best_id,
                       std::optional<double> best_fitness, bool failed) {
  std::string text =
      absl::StrCat(failed ? "run failed: " : "run ended: ", reason, "; ", evaluated, " evaluated");
  nlohmann::json fields = {{"reason", reason}, {"evaluated", evaluated}, {"failed", failed}};
  if (best_id && best_fitness) {
    absl::StrAppend(&text,
                    absl::StrFormat(", best #%d with fitness %.6g", *best_id, *best_fitness));
    fields["best"] = {{"candidate", *best_id}, {"fitness", *best_fitness}};
  }
  Send("run_end", text, std::move(fields));
}

}  // namespace cambrian::orchestrator
