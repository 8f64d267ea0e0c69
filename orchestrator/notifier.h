// Notifications for runs left alone overnight: a JSON webhook (--notify URL)
// and/or a shell command (--notify-cmd) hear of a new best, the end of the
// run and error storms. Delivered from a background thread and retried; a
// notice that cannot be delivered is a warning in the log, never an error
// of the run.
#ifndef CAMBRIAN_ORCHESTRATOR_NOTIFIER_H_
#define CAMBRIAN_ORCHESTRATOR_NOTIFIER_H_

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "mutators/llm/http_transport.h"
#include "nlohmann/json.hpp"

namespace cambrian::orchestrator {

struct Notice {
  std::string event;  // "new_best" | "run_end" | "error_storm"
  std::string json;   // the whole notice as a JSON object (with "event" and "text")
};

// Where notices go. Deliver may block (it runs on the notifier's thread).
class NoticeSink {
 public:
  virtual ~NoticeSink() = default;
  virtual std::string name() const = 0;  // for log lines; holds no secret
  virtual absl::Status Deliver(const Notice& notice) = 0;
};

// POSTs the JSON to `url`; a 2xx answer is delivered. The URL may hold a
// token (chat webhooks do): only its scheme and host are ever logged.
class WebhookSink : public NoticeSink {
 public:
  WebhookSink(mutators::HttpTransport& transport, std::string url);
  std::string name() const override;
  absl::Status Deliver(const Notice& notice) override;

 private:
  mutators::HttpTransport& transport_;
  const std::string url_;
};

// Runs `/bin/sh -c COMMAND` with the JSON on stdin and CAMBRIAN_EVENT set;
// exit 0 is delivered. Killed after 30 s.
class CommandSink : public NoticeSink {
 public:
  // Ignores SIGPIPE from then on: a command that does not read its stdin
  // must not end the run.
  explicit CommandSink(std::string command);
  std::string name() const override { return "the --notify-cmd command"; }
  absl::Status Deliver(const Notice& notice) override;

 private:
  const std::string command_;
};

class Notifier {
 public:
  // `retry_waits`: the pauses between tries (default 1 s, then 5 s).
  explicit Notifier(std::vector<std::unique_ptr<NoticeSink>> sinks,
                    std::vector<absl::Duration> retry_waits = {absl::Seconds(1), absl::Seconds(5)});
  ~Notifier();  // delivers what is queued, for up to 20 s
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // Queues `notice` for every sink; never blocks on delivery.
  void Post(Notice notice);
  // Waits until the queue is delivered or `limit` passes.
  void Flush(absl::Duration limit);

 private:
  void Loop();
  void DeliverWithRetries(NoticeSink& sink, const Notice& notice);

  std::vector<std::unique_ptr<NoticeSink>> sinks_;
  const std::vector<absl::Duration> retry_waits_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Notice> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

// Which events of a run are worth a notice: a new best, at most one a
// minute (a later one is held until its minute is up, and a newer one
// replaces it); an error storm once 20 evaluations in a row failed (again
// only after one succeeds); the end of the run.
class RunNotices {
 public:
  RunNotices(Notifier& notifier, std::string run_dir, std::string task, const Clock& clock);
  void Evaluated(int64_t id, std::optional<double> fitness, bool new_best, const std::string& note);
  // Sends a held new best once its minute is up.
  void Tick();
  // `failed`: the run stopped on an error (`reason`), not a budget.
  void Ended(const std::string& reason, int64_t evaluated, std::optional<int64_t> best_id,
             std::optional<double> best_fitness, bool failed);

 private:
  static constexpr int kStorm = 20;
  static constexpr absl::Duration kBestEvery = absl::Minutes(1);

  void Send(const std::string& event, const std::string& text, nlohmann::json fields);

  Notifier& notifier_;
  const std::string run_dir_;
  const std::string task_;
  const Clock& clock_;
  int failed_in_a_row_ = 0;
  nlohmann::json held_best_;  // null when none is held
  absl::Time last_best_sent_ = absl::InfinitePast();
};

// The part of the URL safe to log: "https://hooks.example.com/...".
std::string RedactedUrl(const std::string& url);

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_NOTIFIER_H_
