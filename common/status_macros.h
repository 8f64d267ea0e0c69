// Small helpers for absl::Status plumbing. Debian's abseil (20220623) ships no
// RETURN_IF_ERROR / ASSIGN_OR_RETURN, so we keep our own here, once.
#ifndef CAMBRIAN_COMMON_STATUS_MACROS_H_
#define CAMBRIAN_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define CAMBRIAN_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    ::absl::Status cambrian_status_ = (expr);            \
    if (!cambrian_status_.ok()) return cambrian_status_; \
  } while (0)

#define CAMBRIAN_CONCAT_INNER_(a, b) a##b
#define CAMBRIAN_CONCAT_(a, b) CAMBRIAN_CONCAT_INNER_(a, b)

// `lhs` is assigned the value of `rexpr` (an absl::StatusOr<T>), or the
// enclosing function returns its status. `lhs` may declare a variable:
//   CAMBRIAN_ASSIGN_OR_RETURN(Program p, LoadProgram(dir));
#define CAMBRIAN_ASSIGN_OR_RETURN(lhs, rexpr) \
  CAMBRIAN_ASSIGN_OR_RETURN_IMPL_(CAMBRIAN_CONCAT_(cambrian_statusor_, __LINE__), lhs, rexpr)

#define CAMBRIAN_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                    \
  if (!statusor.ok()) return std::move(statusor).status();    \
  lhs = std::move(statusor).value()

namespace cambrian {

// Returns `status` with `context: ` prepended to its message (same code, same
// payloads).
absl::Status Annotate(const absl::Status& status, std::string_view context);

}  // namespace cambrian

#endif  // CAMBRIAN_COMMON_STATUS_MACROS_H_
