// `cambrian serve`: the dashboard over HTTP, read-only. On loopback by
// default; bound anywhere else it demands a token (given, or made and
// printed), so a run's programs and prompts are not open to a network.
#ifndef CAMBRIAN_ORCHESTRATOR_SERVE_DASHBOARD_SERVER_H_
#define CAMBRIAN_ORCHESTRATOR_SERVE_DASHBOARD_SERVER_H_

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace httplib {
class Server;
}

namespace cambrian::orchestrator {

struct DashboardOptions {
  std::string host = "127.0.0.1";
  int port = 8470;                              // 0: any free port
  std::string token;                            // "" = none; required (made if empty) off loopback
  std::vector<std::filesystem::path> run_dirs;  // none: every run under runs_root
  std::filesystem::path runs_root = "runs";
};

// Whether `host` is a loopback address a browser on this machine uses.
bool IsLoopback(const std::string& host);

class DashboardServer {
 public:
  explicit DashboardServer(DashboardOptions options);
  ~DashboardServer();
  DashboardServer(const DashboardServer&) = delete;
  DashboardServer& operator=(const DashboardServer&) = delete;

  // Binds the port (the one bound is returned). FailedPrecondition when a
  // host off loopback has no token and none could be made.
  absl::StatusOr<int> Bind();
  // Serves until Stop() (from another thread or a signal watcher).
  void Listen();
  void Stop();
  // The token requests must carry ("" when none is needed).
  const std::string& token() const { return options_.token; }

 private:
  void Route();

  DashboardOptions options_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
};

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_SERVE_DASHBOARD_SERVER_H_
