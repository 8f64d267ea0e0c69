#include "cpu_meter.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace cambrian::kernels {
namespace {

// A run of decimal digits at the start of `text`, as a non-negative number.
std::optional<int64_t> LeadingDecimal(std::string_view text, size_t* used) {
  int64_t value = 0;
  size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (value > (std::numeric_limits<int64_t>::max() - 9) / 10) return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  if (i == 0) return std::nullopt;
  *used = i;
  return value;
}

bool OnlyWhitespace(std::string_view text) {
  return text.find_first_not_of(" \t\n") == std::string_view::npos;
}

std::optional<int64_t> ParseUsageNs(std::string_view text, std::string* error) {
  size_t used = 0;
  std::optional<int64_t> ns = LeadingDecimal(text, &used);
  if (!ns || !OnlyWhitespace(text.substr(used))) {
    *error = "cpuacct.usage is not one decimal number";
    return std::nullopt;
  }
  return ns;
}

std::optional<int64_t> ParseStatUsec(std::string_view text, std::string* error) {
  constexpr std::string_view kKey = "usage_usec ";
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (line.substr(0, kKey.size()) != kKey) continue;
    size_t used = 0;
    std::optional<int64_t> usec = LeadingDecimal(line.substr(kKey.size()), &used);
    if (!usec || used != line.size() - kKey.size() ||
        *usec > std::numeric_limits<int64_t>::max() / 1000) {
      break;
    }
    return *usec * 1000;
  }
  *error = "cpu.stat has no valid usage_usec line";
  return std::nullopt;
}

}  // namespace

std::optional<CpuFormat> ParseCpuFormat(std::string_view name) {
  if (name == "cpuacct.usage") return CpuFormat::kCpuacctUsage;
  if (name == "cpu.stat") return CpuFormat::kCpuStat;
  return std::nullopt;
}

std::optional<int64_t> ParseCpuUsage(std::string_view text, CpuFormat format, std::string* error) {
  return format == CpuFormat::kCpuacctUsage ? ParseUsageNs(text, error)
                                            : ParseStatUsec(text, error);
}

std::optional<int64_t> FdCpuMeter::ReadNs(std::string* error) {
  char buffer[4096];
  ssize_t got;
  do {
    got = pread(fd_.get(), buffer, sizeof buffer - 1, 0);
  } while (got < 0 && errno == EINTR);
  if (got < 0) {
    gone_ = errno == ENODEV || errno == ENOENT || errno == ESTALE;
    *error = std::string("reading the worker CPU meter: ") + std::strerror(errno);
    return std::nullopt;
  }
  return ParseCpuUsage(std::string_view(buffer, got), format_, error);
}

std::unique_ptr<CpuMeter> CpuMeterFromEnv(std::string* error) {
  error->clear();
  const char* fd_text = std::getenv("CAMBRIAN_WORKER_CPU_FD");
  if (fd_text == nullptr) return nullptr;
  const char* format_text = std::getenv("CAMBRIAN_WORKER_CPU_FORMAT");
  std::optional<CpuFormat> format = ParseCpuFormat(format_text ? format_text : "");
  char* end = nullptr;
  const long fd = std::strtol(fd_text, &end, 10);
  if (!format || *fd_text == '\0' || *end != '\0' || fd < 0 || fd > 1 << 20 ||
      fcntl(static_cast<int>(fd), F_GETFD) < 0) {
    *error = "CAMBRIAN_WORKER_CPU_FD/_FORMAT do not name a readable meter";
    return nullptr;
  }
  auto meter = std::make_unique<FdCpuMeter>(UniqueFd(static_cast<int>(fd)), *format);
  if (!meter->ReadNs(error)) {
    if (!meter->WorkerGone()) return nullptr;
    error->clear();
  }
  return meter;
}

}  // namespace cambrian::kernels
