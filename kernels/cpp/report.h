// The judge's report, $CAMBRIAN_OUT/metrics.json (docs/tasks.md):
//   {"metrics": {"name": number, ...}, "feedback": "text"}
// Written by the judge only, never from anything a worker says unchecked.
#ifndef CAMBRIAN_KERNELS_REPORT_H_
#define CAMBRIAN_KERNELS_REPORT_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cambrian::kernels {

inline constexpr size_t kMaxFeedbackBytes = 2000;

// Metrics in the order first set, and feedback. Not thread-safe.
class Report {
 public:
  // Sets (or replaces) a metric. A name that is not [A-Za-z_][A-Za-z0-9_]*
  // (at most 64 characters) is refused (false). A non-finite value is
  // stored as 0 and noted in the feedback, so the report always parses.
  bool Set(std::string_view name, double value);
  // Appends to the feedback ("; " between parts). Bytes that are not valid
  // UTF-8 become U+FFFD; the whole is cut at kMaxFeedbackBytes on a
  // character boundary, ending "...".
  void AddFeedback(std::string_view text);

  const std::vector<std::pair<std::string, double>>& metrics() const { return metrics_; }
  const std::string& feedback() const { return feedback_; }

  // The JSON text, newline-terminated; numbers in shortest round-trip form.
  std::string ToJson() const;
  // Writes `dir`/metrics.json through a temporary file renamed into place,
  // so no reader sees half a report. false and `*error` on failure.
  [[nodiscard]] bool WriteTo(const std::string& dir, std::string* error) const;

 private:
  std::vector<std::pair<std::string, double>> metrics_;
  std::string feedback_;
};

// A JSON string literal (quotes included) for UTF-8 `text`: '"', '\\' and
// control characters escaped, invalid UTF-8 replaced by U+FFFD.
std::string JsonString(std::string_view text);

// Writes the report into $CAMBRIAN_OUT (the current directory when unset)
// and ends the process with _exit, so no static destructor runs after the
// write: status 0 when written, 3 (and a message on stderr) when not.
[[noreturn]] void WriteReportAndExit(const Report& report);

}  // namespace cambrian::kernels

#endif  // CAMBRIAN_KERNELS_REPORT_H_
