// Keeps secrets (API keys) out of text that may be logged, stored or shown:
// every Status message and error body an LLM client produces passes through
// Redact before it leaves the client.
#ifndef CAMBRIAN_MUTATORS_LLM_REDACT_H_
#define CAMBRIAN_MUTATORS_LLM_REDACT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace cambrian::mutators {

inline constexpr char kRedacted[] = "[REDACTED]";

// `text` with every occurrence of each secret replaced by "[REDACTED]",
// including the forms a secret takes when a server echoes it back: JSON-
// escaped, URL-encoded (either hex case) and base64 (as in Basic auth).
// Empty secrets are ignored. Pure; thread-safe.
std::string Redact(std::string text, const std::vector<std::string>& secrets);

// `status` with its message redacted; code and payloads are kept.
absl::Status RedactStatus(const absl::Status& status, const std::vector<std::string>& secrets);

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_REDACT_H_
