#include "report.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace cambrian::kernels {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

bool InRange(std::string_view s, size_t at, unsigned char lo, unsigned char hi) {
  if (at >= s.size()) return false;
  const auto c = static_cast<unsigned char>(s[at]);
  return c >= lo && c <= hi;
}

// Length of the well-formed UTF-8 sequence starting at `at`, 0 if none.
size_t Utf8Length(std::string_view s, size_t at) {
  const auto c = static_cast<unsigned char>(s[at]);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return InRange(s, at + 1, 0x80, 0xBF) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return InRange(s, at + 1, lo, hi) && InRange(s, at + 2, 0x80, 0xBF) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return InRange(s, at + 1, lo, hi) && InRange(s, at + 2, 0x80, 0xBF) &&
                   InRange(s, at + 3, 0x80, 0xBF)
               ? 4
               : 0;
  }
  return 0;
}

std::string ValidUtf8(std::string_view text) {
  std::string out;
  for (size_t at = 0; at < text.size();) {
    const size_t length = Utf8Length(text, at);
    out += length ? text.substr(at, length) : std::string_view(kReplacement);
    at += length ? length : 1;
  }
  return out;
}

bool IsMetricName(std::string_view name) {
  if (name.empty() || name.size() > 64 || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string Number(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

bool WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t wrote = write(fd, text.data(), text.size());
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return false;
    text.remove_prefix(static_cast<size_t>(wrote));
  }
  return true;
}

}  // namespace

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (char c : ValidUtf8(text)) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned char>(c));
      out += buffer;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

bool Report::Set(std::string_view name, double value) {
  if (!IsMetricName(name)) return false;
  if (!std::isfinite(value)) {
    AddFeedback("metric " + std::string(name) + " was not finite and is reported as 0");
    value = 0;
  }
  for (auto& [existing, stored] : metrics_) {
    if (existing == name) {
      stored = value;
      return true;
    }
  }
  metrics_.emplace_back(std::string(name), value);
  return true;
}

void Report::AddFeedback(std::string_view text) {
  if (!feedback_.empty()) feedback_ += "; ";
  feedback_ += ValidUtf8(text);
  if (feedback_.size() <= kMaxFeedbackBytes) return;
  size_t cut = kMaxFeedbackBytes - 3;
  while (cut > 0 && (static_cast<unsigned char>(feedback_[cut]) & 0xC0) == 0x80) --cut;
  feedback_.resize(cut);
  feedback_ += "...";
}

std::string Report::ToJson() const {
  std::string out = "{\"metrics\": {";
  for (size_t i = 0; i < metrics_.size(); ++i) {
    out += (i ? ", " : "") + JsonString(metrics_[i].first) + ": " + Number(metrics_[i].second);
  }
  out += "}";
  if (!feedback_.empty()) out += ", \"feedback\": " + JsonString(feedback_);
  return out + "}\n";
}

bool Report::WriteTo(const std::string& dir, std::string* error) const {
  const std::string final_path = dir + "/metrics.json";
  const std::string temp_path = dir + "/.metrics.json." + std::to_string(getpid());
  const int fd =
      open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "cannot create " + temp_path + ": " + std::strerror(errno);
    return false;
  }
  const bool wrote = WriteAll(fd, ToJson());
  const bool closed = close(fd) == 0;
  if (!wrote || !closed || rename(temp_path.c_str(), final_path.c_str()) != 0) {
    *error = "cannot write " + final_path + ": " + std::strerror(errno);
    unlink(temp_path.c_str());
    return false;
  }
  return true;
}

void WriteReportAndExit(const Report& report) {
  const char* dir = std::getenv("CAMBRIAN_OUT");
  std::string error;
  const bool ok = report.WriteTo(dir && *dir ? dir : ".", &error);
  const std::string json = report.ToJson();
  std::fputs(json.c_str(), stderr);
  if (!ok) std::fprintf(stderr, "judge: %s\n", error.c_str());
  std::fflush(stderr);
  _exit(ok ? 0 : 3);
}

}  // namespace cambrian::kernels
