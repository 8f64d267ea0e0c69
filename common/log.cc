#include "common/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/untrusted_text.h"

namespace cambrian {
namespace {

std::mutex& LogMutex() {
  static std::mutex mutex;
  return mutex;
}
std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};
// Guarded by LogMutex().
std::string& StatusLine() {
  static std::string line;
  return line;
}

constexpr char kEraseLine[] = "\r\033[K";

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "?";
}

}  // namespace

std::string LogRecordText(std::string_view message) {
  // Messages quote candidates (notes, descriptions, feedback): nothing in
  // them may steer the terminal, and a line of theirs must not pass for a
  // record of ours, so continuation lines are indented.
  std::string text = EscapeControl(message);
  for (size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 1)) {
    text.insert(at + 1, "    ");
  }
  return text;
}

void Log(LogLevel level, std::string_view message) {
  if (static_cast<int>(level) < g_min_level.load()) return;
  std::string stamp = absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::Now(), absl::LocalTimeZone());
  const std::string text = LogRecordText(message);
  std::lock_guard<std::mutex> lock(LogMutex());
  if (!StatusLine().empty()) std::fputs(kEraseLine, stderr);
  std::fprintf(stderr, "%s [%.*s] %s\n", stamp.c_str(), static_cast<int>(LevelName(level).size()),
               LevelName(level).data(), text.c_str());
  if (!StatusLine().empty()) std::fputs(StatusLine().c_str(), stderr);
  std::fflush(stderr);
}

void SetLogLevel(LogLevel level) { g_min_level.store(static_cast<int>(level)); }

void SetStatusLine(const std::string& line) {
  std::lock_guard<std::mutex> lock(LogMutex());
  if (line.empty() && StatusLine().empty()) return;
  StatusLine() = EscapeControl(line);
  std::fputs(kEraseLine, stderr);
  std::fputs(StatusLine().c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace cambrian
