#include "common/outcome.h"

#include <array>
#include <utility>

namespace cambrian {
namespace {

constexpr std::array<std::pair<Outcome, std::string_view>, 14> kNames = {{
    {Outcome::kOk, "ok"},
    {Outcome::kBuildError, "build_error"},
    {Outcome::kRuntimeError, "runtime_error"},
    {Outcome::kTimeout, "timeout"},
    {Outcome::kMemoryLimit, "memory_limit"},
    {Outcome::kOutputLimit, "output_limit"},
    {Outcome::kKilled, "killed"},
    {Outcome::kWrongAnswer, "wrong_answer"},
    {Outcome::kProcessLimit, "process_limit"},
    {Outcome::kDiskLimit, "disk_limit"},
    {Outcome::kTampered, "tampered"},
    {Outcome::kImplausible, "implausible"},
    {Outcome::kInodeLimit, "inode_limit"},
    {Outcome::kControllerCrash, "controller_crash"},
}};

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  for (const auto& [value, name] : kNames) {
    if (value == outcome) return name;
  }
  return "unknown";
}

std::optional<Outcome> ParseOutcome(std::string_view name) {
  for (const auto& [value, text] : kNames) {
    if (text == name) return value;
  }
  return std::nullopt;
}

}  // namespace cambrian
