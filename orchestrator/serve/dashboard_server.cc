#include "orchestrator/serve/dashboard_server.h"

#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/token.h"
#include "orchestrator/serve/assets.h"
#include "orchestrator/serve/dashboard_data.h"

namespace cambrian::orchestrator {
namespace {

using nlohmann::json;

// Our own script and style only: a string that slipped into the page as
// markup still could not run (defence in depth beside textContent).
constexpr char kPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

void Secure(httplib::Response& response) {
  response.set_header("Content-Security-Policy", kPolicy);
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Referrer-Policy", "no-referrer");
  response.set_header("Cache-Control", "no-store");
}

void SendJson(httplib::Response& response, const json& body) {
  response.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace),
                       "application/json");
}

void SendError(httplib::Response& response, const absl::Status& status) {
  response.status = absl::IsNotFound(status) ? 404 : 500;
  SendJson(response, {{"error", std::string(status.message())}});
}

const ServedRun* FindRun(const std::vector<ServedRun>& runs, const std::string& key) {
  for (const ServedRun& run : runs) {
    if (run.key == key) return &run;
  }
  return nullptr;
}

// "localhost:8470" -> "localhost", "[::1]:8470" -> "::1".
std::string HostName(const std::string& header) {
  if (!header.empty() && header[0] == '[') return header.substr(1, header.find(']') - 1);
  return header.substr(0, header.find(':'));
}

}  // namespace

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

DashboardServer::DashboardServer(DashboardOptions options)
    : options_(std::move(options)), server_(std::make_unique<httplib::Server>()) {}

DashboardServer::~DashboardServer() = default;

absl::StatusOr<int> DashboardServer::Bind() {
  if (!IsLoopback(options_.host) && options_.token.empty()) {
    options_.token = MakeToken();
    if (options_.token.empty()) {
      return absl::FailedPreconditionError("cannot make a token for a non-loopback address");
    }
  }
  Route();
  port_ = options_.port == 0
              ? server_->bind_to_any_port(options_.host)
              : (server_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port_ <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options_.host, ":",
                                               options_.port,
                                               " (in use? pick another with --port)"));
  }
  return port_;
}

void DashboardServer::Listen() { server_->listen_after_bind(); }

void DashboardServer::Stop() { server_->stop(); }

void DashboardServer::Route() {
  server_->set_pre_routing_handler(
      [this](const httplib::Request& request, httplib::Response& response) {
        Secure(response);
        if (options_.token.empty() && !IsLoopback(HostName(request.get_header_value("Host")))) {
          // A page elsewhere that rebinds its name to 127.0.0.1 must not read runs.
          response.status = 403;
          SendJson(response, {{"error", "this dashboard answers only to a loopback host name"}});
          return httplib::Server::HandlerResponse::Handled;
        }
        if (request.path.rfind("/api/", 0) != 0 || options_.token.empty()) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        std::string given = request.get_param_value("token");
        const std::string header = request.get_header_value("Authorization");
        if (header.rfind("Bearer ", 0) == 0) given = header.substr(7);
        if (SameToken(given, options_.token)) return httplib::Server::HandlerResponse::Unhandled;
        response.status = 401;
        SendJson(response, {{"error", "this dashboard needs its token (?token=...)"}});
        return httplib::Server::HandlerResponse::Handled;
      });
  auto asset = [](const char* body, const char* type) {
    return [body, type](const httplib::Request&, httplib::Response& response) {
      response.set_content(body, type);
    };
  };
  server_->Get("/", asset(kIndexHtml, "text/html; charset=utf-8"));
  server_->Get("/index.html", asset(kIndexHtml, "text/html; charset=utf-8"));
  server_->Get("/app.js", asset(kAppJs, "text/javascript; charset=utf-8"));
  server_->Get("/app.css", asset(kAppCss, "text/css; charset=utf-8"));
  server_->Get("/api/runs", [this](const httplib::Request&, httplib::Response& response) {
    SendJson(response, RunsJson(FindServedRuns(options_.run_dirs, options_.runs_root)));
  });
  server_->Get(
      R"(/api/run/([^/]+))", [this](const httplib::Request& request, httplib::Response& response) {
        const std::vector<ServedRun> runs = FindServedRuns(options_.run_dirs, options_.runs_root);
        const ServedRun* run = FindRun(runs, request.matches[1]);
        if (run == nullptr) return SendError(response, absl::NotFoundError("no such run"));
        absl::StatusOr<json> body = RunJson(*run);
        if (!body.ok()) return SendError(response, body.status());
        SendJson(response, *body);
      });
  server_->Get(R"(/api/run/([^/]+)/candidate/(\d+))", [this](const httplib::Request& request,
                                                             httplib::Response& response) {
    const std::vector<ServedRun> runs = FindServedRuns(options_.run_dirs, options_.runs_root);
    const ServedRun* run = FindRun(runs, request.matches[1]);
    int64_t id = 0;
    if (run == nullptr || !absl::SimpleAtoi(std::string(request.matches[2]), &id)) {
      return SendError(response, absl::NotFoundError("no such run or candidate"));
    }
    absl::StatusOr<json> body = CandidateDetailJson(*run, id);
    if (!body.ok()) return SendError(response, body.status());
    SendJson(response, *body);
  });
}

}  // namespace cambrian::orchestrator
