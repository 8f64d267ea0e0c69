#include "archive/archive.h"

#include <array>
#include <utility>

namespace cambrian::archive {
namespace {

// These names are stored in the database: never change one, only add.
constexpr std::array<std::pair<CandidateStatus, std::string_view>, 4> kNames = {{
    {CandidateStatus::kPending, "pending"},
    {CandidateStatus::kRunning, "running"},
    {CandidateStatus::kDone, "done"},
    {CandidateStatus::kInterrupted, "interrupted"},
}};

}  // namespace

std::string_view CandidateStatusName(CandidateStatus status) {
  for (const auto& [value, name] : kNames) {
    if (value == status) return name;
  }
  return "unknown";
}

std::optional<CandidateStatus> ParseCandidateStatus(std::string_view name) {
  for (const auto& [value, text] : kNames) {
    if (text == name) return value;
  }
  return std::nullopt;
}

}  // namespace cambrian::archive
