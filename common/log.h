// Plain log lines on stderr: "2026-11-25 09:14:03 [info] message". The
// progress display (orchestrator) owns the terminal's last line; Log() clears
// it first through the hook set by SetLogLineHook. Thread-safe.
#ifndef CAMBRIAN_COMMON_LOG_H_
#define CAMBRIAN_COMMON_LOG_H_

#include <functional>
#include <string_view>

namespace cambrian {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

void Log(LogLevel level, std::string_view message);
inline void LogInfo(std::string_view message) { Log(LogLevel::kInfo, message); }
inline void LogWarning(std::string_view message) { Log(LogLevel::kWarning, message); }
inline void LogError(std::string_view message) { Log(LogLevel::kError, message); }

// Messages below `level` are dropped. Default kInfo.
void SetLogLevel(LogLevel level);

// Called (under the log lock) before and after each line is written, so a
// live status line can be erased and redrawn. Pass {} to clear.
void SetLogLineHook(std::function<void(bool before)> hook);

}  // namespace cambrian

#endif  // CAMBRIAN_COMMON_LOG_H_
