// A real HTTP server on 127.0.0.1 (an ephemeral port) for LLM client tests,
// speaking OpenAI chat completions (POST /v1/chat/completions or
// /chat/completions) and Anthropic messages (POST /v1/messages). Each test
// scripts it: replies are taken in order from a queue (then from a
// responder function, if set; else it answers 500 "no scripted reply"), and
// each reply can be a text rendered in the wire format of the path it
// answers, an error, a raw body, a delay, a hang, a dropped connection, a
// truncated body or a huge one. Every request is recorded (path, headers,
// body) so tests can check the wire format and where keys went.
//
// Uses cpp-httplib (Debian libcpp-httplib-dev; link PkgConfig::HTTPLIB).
// The constructor ignores SIGPIPE process-wide, so writing to a connection
// the test dropped cannot kill the test binary. The destructor wakes every
// delayed or hanging handler and returns within a few seconds. Thread-safe.
// Header-only.
#ifndef CAMBRIAN_TESTS_TESTING_SCRIPTED_LLM_SERVER_H_
#define CAMBRIAN_TESTS_TESTING_SCRIPTED_LLM_SERVER_H_

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"

namespace cambrian::testing {

struct ScriptedReply {
  enum class Action {
    kAnswer,    // send the reply
    kHang,      // never answer (until the server is destroyed)
    kDrop,      // close the connection without a response
    kTruncate,  // send headers promising more body than is sent, then close
  };
  Action action = Action::kAnswer;
  int status = 200;
  std::string text;           // rendered in the path's wire format (200 only)
  std::string raw_body;       // sent as is when set (any status)
  std::string error;          // for status >= 400: the provider's error message
  bool refusal = false;       // render `text` as a refusal
  std::string finish_reason;  // "" = "stop" / "end_turn"
  int64_t input_tokens = 12;
  int64_t output_tokens = 34;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Retry-After
  std::chrono::milliseconds delay{0};                        // before answering
  size_t pad_to_bytes = 0;  // pad `text` so the body is at least this big

  static ScriptedReply Text(std::string text) {
    ScriptedReply reply;
    reply.text = std::move(text);
    return reply;
  }
  static ScriptedReply Error(int status, std::string message, std::string retry_after = "") {
    ScriptedReply reply;
    reply.status = status;
    reply.error = std::move(message);
    if (!retry_after.empty()) reply.headers.emplace_back("Retry-After", std::move(retry_after));
    return reply;
  }
  static ScriptedReply Raw(int status, std::string body) {
    ScriptedReply reply;
    reply.status = status;
    reply.raw_body = std::move(body);
    return reply;
  }
  static ScriptedReply Refusal(std::string why) {
    ScriptedReply reply = Text(std::move(why));
    reply.refusal = true;
    return reply;
  }
  static ScriptedReply Slow(std::chrono::milliseconds delay, std::string text) {
    ScriptedReply reply = Text(std::move(text));
    reply.delay = delay;
    return reply;
  }
  static ScriptedReply Huge(size_t bytes) {
    ScriptedReply reply = Text("x");
    reply.pad_to_bytes = bytes;
    return reply;
  }
  static ScriptedReply Hang() { return OfAction(Action::kHang); }
  static ScriptedReply Drop() { return OfAction(Action::kDrop); }
  static ScriptedReply Truncate() { return OfAction(Action::kTruncate); }

 private:
  static ScriptedReply OfAction(Action action) {
    ScriptedReply reply = Text("unused");
    reply.action = action;
    return reply;
  }
};

struct RecordedRequest {
  std::string path;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  bool anthropic() const { return path == "/v1/messages"; }
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

class ScriptedLlmServer {
 public:
  using Responder = std::function<ScriptedReply(const RecordedRequest&)>;

  ScriptedLlmServer() {
    std::signal(SIGPIPE, SIG_IGN);
    server_.new_task_queue = [] { return new httplib::ThreadPool(16); };
    server_.set_keep_alive_timeout(1);
    auto handler = [this](const httplib::Request& request, httplib::Response& response) {
      Handle(request, response);
    };
    server_.Post("/v1/chat/completions", handler);
    server_.Post("/chat/completions", handler);
    server_.Post("/v1/messages", handler);
    // GETs (a server's limits) answer what SetGet gave, else 404.
    server_.Get(R"(/.*)", [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard<std::mutex> lock(mutex_);
      gets_seen_.push_back(request.path);
      auto it = gets_.find(request.path);
      if (it == gets_.end()) {
        response.status = 404;
        return;
      }
      response.set_content(it->second, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  ~ScriptedLlmServer() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  ScriptedLlmServer(const ScriptedLlmServer&) = delete;
  ScriptedLlmServer& operator=(const ScriptedLlmServer&) = delete;

  int port() const { return port_; }
  bool running() const { return port_ > 0 && server_.is_running(); }
  // The Anthropic base URL; OpenAI-compatible clients use openai_base_url().
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string openai_base_url() const { return base_url() + "/v1"; }

  void Push(ScriptedReply reply) {
    std::lock_guard<std::mutex> lock(mutex_);
    script_.push_back(std::move(reply));
  }
  // Answers every request once the queue is empty.
  void SetResponder(Responder responder) {
    std::lock_guard<std::mutex> lock(mutex_);
    responder_ = std::move(responder);
  }
  // The body a GET of `path` answers (200, JSON).
  void SetGet(const std::string& path, std::string body) {
    std::lock_guard<std::mutex> lock(mutex_);
    gets_[path] = std::move(body);
  }
  std::vector<std::string> gets_seen() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return gets_seen_;
  }
  std::vector<RecordedRequest> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }
  size_t pending() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return script_.size();
  }

  // The JSON body a reply renders to for a request on `path` (exposed so
  // tests can compute sizes).
  static std::string Render(const ScriptedReply& reply, bool anthropic, const std::string& model) {
    if (!reply.raw_body.empty()) return reply.raw_body;
    if (reply.status >= 400) return RenderError(reply, anthropic);
    nlohmann::json body = anthropic ? AnthropicBody(reply, model) : OpenAiBody(reply, model);
    std::string rendered = body.dump();
    if (reply.pad_to_bytes > rendered.size()) {
      std::string& text = anthropic
                              ? body["content"][0]["text"].get_ref<std::string&>()
                              : body["choices"][0]["message"]["content"].get_ref<std::string&>();
      text.append(reply.pad_to_bytes - rendered.size(), 'x');
      rendered = body.dump();
    }
    return rendered;
  }

 private:
  static nlohmann::json OpenAiBody(const ScriptedReply& reply, const std::string& model) {
    nlohmann::json message = {{"role", "assistant"}, {"content", reply.text}, {"refusal", nullptr}};
    if (reply.refusal) {
      message["content"] = nullptr;
      message["refusal"] = reply.text;
    }
    return {{"id", "chatcmpl-scripted"},
            {"object", "chat.completion"},
            {"model", model},
            {"choices",
             {{{"index", 0},
               {"message", message},
               {"finish_reason", reply.finish_reason.empty() ? "stop" : reply.finish_reason}}}},
            {"usage",
             {{"prompt_tokens", reply.input_tokens},
              {"completion_tokens", reply.output_tokens},
              {"total_tokens", reply.input_tokens + reply.output_tokens}}}};
  }

  static nlohmann::json AnthropicBody(const ScriptedReply& reply, const std::string& model) {
    std::string stop = reply.finish_reason.empty() ? "end_turn" : reply.finish_reason;
    if (reply.refusal) stop = "refusal";
    nlohmann::json content = nlohmann::json::array();
    if (!reply.text.empty()) content.push_back({{"type", "text"}, {"text", reply.text}});
    return {
        {"id", "msg_scripted"},
        {"type", "message"},
        {"role", "assistant"},
        {"model", model},
        {"content", content},
        {"stop_reason", stop},
        {"usage", {{"input_tokens", reply.input_tokens}, {"output_tokens", reply.output_tokens}}}};
  }

  static std::string RenderError(const ScriptedReply& reply, bool anthropic) {
    if (anthropic) {
      return nlohmann::json{{"type", "error"},
                            {"error", {{"type", "api_error"}, {"message", reply.error}}}}
          .dump();
    }
    return nlohmann::json{
        {"error", {{"message", reply.error}, {"type", "api_error"}, {"code", nullptr}}}}
        .dump();
  }

  static RecordedRequest Record(const httplib::Request& request) {
    RecordedRequest recorded{request.path, {}, request.body};
    for (const auto& [name, value] : request.headers) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      recorded.headers[lower] = value;
    }
    return recorded;
  }

  // The next reply, and whether to go on (false once the server stops).
  bool Next(const RecordedRequest& recorded, ScriptedReply* reply) {
    std::unique_lock<std::mutex> lock(mutex_);
    requests_.push_back(recorded);
    if (!script_.empty()) {
      *reply = std::move(script_.front());
      script_.pop_front();
    } else if (responder_) {
      *reply = responder_(recorded);
    } else {
      *reply = ScriptedReply::Error(500, "no scripted reply");
    }
    if (reply->action == ScriptedReply::Action::kHang) {
      wake_.wait(lock, [this] { return stopping_; });
    } else if (reply->delay.count() > 0) {
      wake_.wait_for(lock, reply->delay, [this] { return stopping_; });
    }
    return !stopping_;
  }

  void Handle(const httplib::Request& request, httplib::Response& response) {
    const RecordedRequest recorded = Record(request);
    ScriptedReply reply;
    if (!Next(recorded, &reply) || reply.action == ScriptedReply::Action::kDrop) {
      Drop(request);
      return;
    }
    const nlohmann::json json = recorded.json();
    const std::string model =
        json.is_object() && json.contains("model") && json["model"].is_string() ? json["model"]
                                                                                : "scripted-model";
    const std::string body = Render(reply, recorded.anthropic(), model);
    response.status = reply.status;
    for (const auto& [name, value] : reply.headers) response.set_header(name, value);
    if (reply.action == ScriptedReply::Action::kTruncate) {
      // Promise twice the body, send half, then fail the provider so
      // cpp-httplib closes the connection mid-body.
      response.set_content_provider(body.size() * 2, "application/json",
                                    [body](size_t offset, size_t, httplib::DataSink& sink) {
                                      if (offset == 0) sink.write(body.data(), body.size() / 2);
                                      return offset == 0;
                                    });
      return;
    }
    response.set_content(body, "application/json");
  }

  // Closes this request's connection at once: cpp-httplib gives handlers no
  // socket, so find it among our descriptors by its two ports and shut it
  // down (the server closes the descriptor itself later).
  static void Drop(const httplib::Request& request) {
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
      const int fd = std::atoi(entry.path().filename().c_str());
      sockaddr_in local{}, peer{};
      socklen_t local_len = sizeof(local), peer_len = sizeof(peer);
      if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
          getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0 ||
          local.sin_family != AF_INET) {
        continue;
      }
      if (ntohs(local.sin_port) == request.local_port &&
          ntohs(peer.sin_port) == request.remote_port) {
        shutdown(fd, SHUT_RDWR);
        return;
      }
    }
  }

  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::deque<ScriptedReply> script_;
  Responder responder_;
  std::vector<RecordedRequest> requests_;
  std::map<std::string, std::string> gets_;
  std::vector<std::string> gets_seen_;
};

}  // namespace cambrian::testing

#endif  // CAMBRIAN_TESTS_TESTING_SCRIPTED_LLM_SERVER_H_
