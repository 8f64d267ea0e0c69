// Notifications (orchestrator/notifier.h): a real webhook receiver on
// loopback and a real shell command, retries, and which events are sent.
#include "orchestrator/notifier.h"

#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mutators/llm/curl_transport.h"
#include "tests/testing/fake_time.h"

namespace cambrian::orchestrator {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// Answers the first `failures` POSTs with 500, the rest with 204.
class Receiver {
 public:
  explicit Receiver(int failures = 0) : failures_(failures) {
    server_.Post("/hook", [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (attempts_++ < failures_) {
        response.status = 500;
        return;
      }
      bodies_.push_back(json::parse(request.body));
      response.status = 204;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<json> bodies() {
    std::lock_guard<std::mutex> lock(mutex_);
    return bodies_;
  }
  int attempts() {
    std::lock_guard<std::mutex> lock(mutex_);
    return attempts_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  const int failures_;
  std::mutex mutex_;
  int attempts_ = 0;
  std::vector<json> bodies_;
};

const std::vector<absl::Duration> kQuickRetries = {absl::Milliseconds(10), absl::Milliseconds(10)};

std::unique_ptr<Notifier> WebhookNotifier(mutators::HttpTransport& transport,
                                          const std::string& url) {
  std::vector<std::unique_ptr<NoticeSink>> sinks;
  sinks.push_back(std::make_unique<WebhookSink>(transport, url));
  return std::make_unique<Notifier>(std::move(sinks), kQuickRetries);
}

TEST(NotifierTest, AWebhookGetsTheJsonAfterRetries) {
  Receiver receiver(/*failures=*/2);
  mutators::CurlTransport transport;
  auto notifier = WebhookNotifier(transport, receiver.url());
  notifier->Post({"run_end", R"({"event": "run_end", "text": "done"})"});
  notifier->Flush(absl::Seconds(10));
  ASSERT_EQ(receiver.bodies().size(), 1u);
  EXPECT_EQ(receiver.bodies()[0]["text"], "done");
  EXPECT_EQ(receiver.attempts(), 3);
}

TEST(NotifierTest, AnUnreachableWebhookIsOnlyAWarning) {
  mutators::CurlTransport transport;
  auto notifier = WebhookNotifier(transport, "http://127.0.0.1:1/hook");
  notifier->Post({"run_end", "{}"});
  notifier->Flush(absl::Seconds(10));
  notifier.reset();  // returns: nothing waits on the dead receiver
}

TEST(NotifierTest, ACommandGetsTheJsonOnStdinAndTheEventInItsEnvironment) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / ("notify_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string out = (dir / "out").string();
  std::vector<std::unique_ptr<NoticeSink>> sinks;
  sinks.push_back(
      std::make_unique<CommandSink>("cat >> " + out + "; echo \" $CAMBRIAN_EVENT\" >> " + out));
  sinks.push_back(std::make_unique<CommandSink>("exit 3"));  // fails every try: a warning
  Notifier notifier(std::move(sinks), kQuickRetries);
  notifier.Post({"new_best", R"({"event":"new_best"})"});
  notifier.Flush(absl::Seconds(20));
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "{\"event\":\"new_best\"} new_best\n");
  std::filesystem::remove_all(dir);
}

TEST(NotifierTest, UrlsAreLoggedWithoutTheirSecrets) {
  EXPECT_EQ(RedactedUrl("https://hooks.slack.com/services/T0/B0/secret"),
            "https://hooks.slack.com/...");
  EXPECT_EQ(RedactedUrl("https://user:pw@example.com/x"), "https://example.com/...");
  EXPECT_EQ(RedactedUrl("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(RedactedUrl("nonsense"), "(a URL)");
}

class RecordingSink : public NoticeSink {
 public:
  std::string name() const override { return "recording"; }
  absl::Status Deliver(const Notice& notice) override {
    std::lock_guard<std::mutex> lock(mutex);
    seen.push_back(json::parse(notice.json));
    return absl::OkStatus();
  }
  std::mutex mutex;
  std::vector<json> seen;
};

TEST(RunNoticesTest, NewBestsAtMostOnceAMinuteStormsOnceAndTheEnd) {
  auto sink = std::make_unique<RecordingSink>();
  RecordingSink* seen = sink.get();
  std::vector<std::unique_ptr<NoticeSink>> sinks;
  sinks.push_back(std::move(sink));
  Notifier notifier(std::move(sinks), kQuickRetries);
  testing::ManualClock clock;
  RunNotices notices(notifier, "runs/r", "matmul-cpu", clock);
  notices.Evaluated(2, 1.0, true, "");  // sent
  notices.Evaluated(3, 2.0, true, "");  // held: within the minute
  notices.Evaluated(4, 3.0, true, "");  // replaces #3
  clock.Advance(absl::Seconds(61));
  notices.Tick();  // #4 goes out
  for (int i = 0; i < 45; ++i) notices.Evaluated(10 + i, std::nullopt, false, "build failed");
  notices.Evaluated(60, 1.5, false, "");  // a success re-arms the storm notice
  for (int i = 0; i < 20; ++i) notices.Evaluated(70 + i, std::nullopt, false, "timeout");
  notices.Ended("evaluation budget reached", 90, 4, 3.0, false);
  notifier.Flush(absl::Seconds(10));
  std::lock_guard<std::mutex> lock(seen->mutex);
  std::vector<std::string> events;
  for (const json& notice : seen->seen) events.push_back(notice["event"]);
  EXPECT_EQ(events, (std::vector<std::string>{"new_best", "new_best", "error_storm", "error_storm",
                                              "run_end"}));
  EXPECT_EQ(seen->seen[1]["candidate"], 4);
  EXPECT_EQ(seen->seen[1]["text"], "cambrian matmul-cpu: new best #4, fitness 3");
  EXPECT_THAT(seen->seen[2]["text"].get<std::string>(), HasSubstr("20 evaluations in a row"));
  EXPECT_EQ(seen->seen[3]["note"], "timeout");
  EXPECT_EQ(seen->seen[4]["best"]["candidate"], 4);
  EXPECT_EQ(seen->seen[4]["run_dir"], "runs/r");
}

}  // namespace
}  // namespace cambrian::orchestrator
