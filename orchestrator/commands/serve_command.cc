// `cambrian serve [RUN_DIR...]`: the dashboard in a browser, live while runs
// go on. `cambrian report RUN_DIR --html FILE`: the same views in one file.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "orchestrator/commands/commands.h"
#include "orchestrator/review.h"
#include "orchestrator/serve/dashboard_server.h"
#include "orchestrator/serve/report.h"

namespace cambrian::orchestrator {
namespace {

namespace fs = std::filesystem;

struct ServeOptions {
  std::vector<std::string> run_dirs;
  std::string host = "127.0.0.1";
  int port = 8470;
  std::string token;
};

absl::Status Serve(const ServeOptions& options) {
  DashboardOptions dashboard{.host = options.host, .port = options.port, .token = options.token};
  for (const std::string& dir : options.run_dirs) {
    if (!fs::exists(PathsFor(dir).db)) {
      return absl::NotFoundError(absl::StrCat(dir, " holds no run (no cambrian.db)"));
    }
    dashboard.run_dirs.push_back(fs::absolute(dir));
  }
  DashboardServer server(std::move(dashboard));
  // Ctrl-C and SIGTERM end the server cleanly: they are taken by a thread
  // that waits for them, not by a handler.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  CAMBRIAN_ASSIGN_OR_RETURN(int port, server.Bind());
  const std::string shown = options.host.find(':') != std::string::npos
                                ? absl::StrCat("[", options.host, "]")
                                : options.host;
  std::string url = absl::StrCat("http://", shown, ":", port, "/");
  if (!server.token().empty()) absl::StrAppend(&url, "?token=", server.token());
  std::cout << "serving "
            << (options.run_dirs.empty() ? std::string("the runs under ./runs")
                                         : absl::StrCat(options.run_dirs.size(), " run(s)"))
            << " at " << url << " (read-only; Ctrl-C stops)" << std::endl;
  std::thread watcher([&server, stop] {
    int signal = 0;
    sigwait(&stop, &signal);
    server.Stop();
  });
  server.Listen();
  pthread_kill(watcher.native_handle(), SIGTERM);  // if Listen ended on its own
  watcher.join();
  return absl::OkStatus();
}

struct ReportOptions {
  std::string run_dir;
  std::string html;
  int candidates = 1000;
};

absl::Status Report(const ReportOptions& options) {
  CAMBRIAN_ASSIGN_OR_RETURN(fs::path dir, ResolveRunDir(RunDirFlag(options.run_dir)));
  std::vector<ServedRun> runs = FindServedRuns({fs::absolute(dir)}, {});
  CAMBRIAN_ASSIGN_OR_RETURN(std::string html, ReportHtml(runs.front(), options.candidates));
  CAMBRIAN_RETURN_IF_ERROR(WriteFile(options.html, html));
  std::cerr << "wrote " << options.html << " (" << html.size() / 1024 << " KiB): open it in a "
            << "browser, no server needed\n";
  return absl::OkStatus();
}

}  // namespace

Command ServeCommand() {
  return {
      "serve", "The dashboard in a browser: runs, leaderboard, plots, grids, lineage, LLM calls",
      [](CLI::App& app) {
        auto options = std::make_shared<ServeOptions>();
        app.add_option("run_dirs", options->run_dirs,
                       "Runs to show (default: every run under ./runs, found as they appear)");
        app.add_option("--host", options->host,
                       "Address to listen on; off loopback a token is required")
            ->capture_default_str();
        app.add_option("--port", options->port, "Port (0: any free one)")->capture_default_str();
        app.add_option("--token", options->token,
                       "The token requests must carry (default off loopback: a random one)");
        return [options] { return CommandResult{Serve(*options)}; };
      }};
}

Command ReportCommand() {
  return {"report", "Write a run's dashboard as one self-contained HTML file", [](CLI::App& app) {
            auto options = std::make_shared<ReportOptions>();
            app.add_option("run_dir", options->run_dir, "The run (default: the latest)");
            app.add_option("--html", options->html, "The file to write")->required();
            app.add_option("--candidates", options->candidates,
                           "Candidate pages included, best first (all of them in the tables)")
                ->capture_default_str();
            return [options] { return CommandResult{Report(*options)}; };
          }};
}

}  // namespace cambrian::orchestrator
