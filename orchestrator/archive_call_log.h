// The LLM call log over a run's archive: every call an LLM mutator makes is
// stored in llm_calls, and earlier replies answer repeated prompts for free.
#ifndef CAMBRIAN_ORCHESTRATOR_ARCHIVE_CALL_LOG_H_
#define CAMBRIAN_ORCHESTRATOR_ARCHIVE_CALL_LOG_H_

#include "archive/archive.h"
#include "common/clock.h"
#include "mutators/llm/llm_call_log.h"

namespace cambrian::orchestrator {

// Thread-safe as the archive is. `archive` and `clock` (which stamps each
// call) must outlive the log. A read-only archive serves CachedResponse only
// (for --llm replay sources).
class ArchiveCallLog : public mutators::LlmCallLog {
 public:
  ArchiveCallLog(archive::Archive& archive, const Clock& clock)
      : archive_(archive), clock_(clock) {}

  [[nodiscard]] absl::StatusOr<int64_t> Record(const mutators::LlmCallRecord& record) override;
  [[nodiscard]] absl::StatusOr<std::optional<std::string>> CachedResponse(
      const std::string& model, const std::string& prompt_hash) override;

 private:
  archive::Archive& archive_;
  const Clock& clock_;
};

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_ARCHIVE_CALL_LOG_H_
