#include "orchestrator/progress.h"

#include <unistd.h>

#include <cstdio>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/log.h"
#include "common/units.h"

namespace cambrian::orchestrator {
namespace {

// Redraws one status line at the bottom of the terminal. Log lines from any
// thread first erase it and then redraw it (through the log hook), so the
// two never interleave.
class TerminalProgress : public ProgressSink {
 public:
  TerminalProgress() {
    SetLogLineHook([this](bool before) {
      if (before) {
        std::fputs("\r\033[K", stderr);
      } else {
        std::fputs(line_.c_str(), stderr);
      }
      std::fflush(stderr);
    });
  }
  ~TerminalProgress() override { Finish(); }

  void OnCandidate(const std::string& line) override { LogInfo(line); }
  void OnTick(const ProgressState& state) override {
    std::string line = FormatProgress(state);
    // Log() holds its own lock while calling the hook; redraw under it too.
    Log(LogLevel::kDebug, "");  // no-op below the default level; keeps ordering simple
    std::lock_guard<std::mutex> lock(mutex_);
    line_ = line;
    std::fprintf(stderr, "\r\033[K%s", line_.c_str());
    std::fflush(stderr);
  }
  void Finish() override {
    if (finished_) return;
    finished_ = true;
    SetLogLineHook({});
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  }

 private:
  std::mutex mutex_;
  std::string line_;
  bool finished_ = false;
};

// Non-terminal output (CI logs, files): a line per candidate and a status
// line every 30 seconds.
class PlainProgress : public ProgressSink {
 public:
  void OnCandidate(const std::string& line) override { LogInfo(line); }
  void OnTick(const ProgressState& state) override {
    if (state.elapsed - last_status_ < absl::Seconds(30)) return;
    last_status_ = state.elapsed;
    LogInfo(FormatProgress(state));
  }
  void Finish() override {}

 private:
  absl::Duration last_status_;
};

}  // namespace

std::string FormatProgress(const ProgressState& state) {
  std::string line = absl::StrCat("[", HumanDuration(state.elapsed), "] evals ", state.evaluated);
  if (state.budget) absl::StrAppend(&line, "/", *state.budget);
  absl::StrAppend(&line, " | in flight ", state.in_flight, " | failed ", state.failed);
  if (state.best_fitness) {
    absl::StrAppend(&line,
                    absl::StrFormat(" | best %.6g (#%d, improved %s ago)", *state.best_fitness,
                                    *state.best_id, HumanDuration(state.since_improvement)));
  } else {
    absl::StrAppend(&line, " | best: none yet");
  }
  return line;
}

std::unique_ptr<ProgressSink> MakeProgressSink() {
  if (isatty(STDERR_FILENO)) return std::make_unique<TerminalProgress>();
  return std::make_unique<PlainProgress>();
}

}  // namespace cambrian::orchestrator
