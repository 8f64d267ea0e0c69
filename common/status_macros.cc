#include "common/status_macros.h"

#include "absl/strings/str_cat.h"
#include "common/absl_compat.h"

namespace cambrian {

absl::Status Annotate(const absl::Status& status, std::string_view context) {
  if (status.ok()) return status;
  absl::Status annotated(status.code(), absl::StrCat(Sv(context), ": ", status.message()));
  // Payloads carry structured detail (e.g. an LLM error's Retry-After).
  status.ForEachPayload([&](absl::string_view type_url, const absl::Cord& payload) {
    annotated.SetPayload(type_url, payload);
  });
  return annotated;
}

}  // namespace cambrian
