#include "orchestrator/stop_rules.h"

#include "absl/strings/str_cat.h"

namespace cambrian::orchestrator {

StopRules::StopRules(const RunConfig& config, const Clock& clock)
    : config_(config), clock_(clock), start_(clock.Now()), last_improvement_(start_) {}

void StopRules::Resume(absl::Duration earlier_elapsed, int64_t since_improvement) {
  earlier_elapsed_ = earlier_elapsed;
  since_improvement_ = since_improvement;
}

void StopRules::Evaluated(bool new_best) {
  if (!new_best) {
    ++since_improvement_;
    return;
  }
  since_improvement_ = 0;
  last_improvement_ = clock_.Now();
}

void StopRules::Halt(const std::string& reason) {
  if (halted_.empty()) halted_ = reason;
}

std::string StopRules::Check(bool stop_requested) const {
  if (stop_requested) return "interrupted";
  if (!halted_.empty()) return halted_;
  if (config_.max_evaluations && submitted_ >= *config_.max_evaluations) {
    return absl::StrCat("evaluation budget of ", *config_.max_evaluations, " reached");
  }
  if (config_.max_wall_time && Elapsed() >= *config_.max_wall_time) {
    return absl::StrCat("time budget of ", absl::FormatDuration(*config_.max_wall_time),
                        " reached");
  }
  if (config_.patience && since_improvement_ >= *config_.patience) {
    return absl::StrCat("no new best in the last ", since_improvement_, " evaluations");
  }
  return "";
}

absl::Duration StopRules::Elapsed() const { return earlier_elapsed_ + (clock_.Now() - start_); }

absl::Duration StopRules::SinceImprovement() const { return clock_.Now() - last_improvement_; }

}  // namespace cambrian::orchestrator
