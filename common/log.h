// Plain log lines on stderr: "2026-11-25 09:14:03 [info] message", with an
// optional live status line kept below them (the progress display on a
// terminal): each log line erases it, prints, and redraws it. Thread-safe.
#ifndef CAMBRIAN_COMMON_LOG_H_
#define CAMBRIAN_COMMON_LOG_H_

#include <string>
#include <string_view>

namespace cambrian {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// Messages are printed as LogRecordText makes them.
void Log(LogLevel level, std::string_view message);
inline void LogInfo(std::string_view message) { Log(LogLevel::kInfo, message); }
inline void LogWarning(std::string_view message) { Log(LogLevel::kWarning, message); }
inline void LogError(std::string_view message) { Log(LogLevel::kError, message); }

// `message` as a record prints it: control characters escaped
// (EscapeControl), lines after the first indented by four spaces, so text a
// candidate wrote can neither steer the terminal nor pass for a record.
std::string LogRecordText(std::string_view message);

// Messages below `level` are dropped. Default kInfo.
void SetLogLevel(LogLevel level);

// Draws `line` as the live status line on stderr, replacing the previous one;
// "" erases it. Only for terminals: it uses a carriage return and "\033[K".
void SetStatusLine(const std::string& line);

}  // namespace cambrian

#endif  // CAMBRIAN_COMMON_LOG_H_
