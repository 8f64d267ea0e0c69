#include "fault.h"

namespace cambrian::kernels {

const char* FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kProtocol:
      return "protocol";
    case FaultKind::kTimeout:
      return "timeout";
    case FaultKind::kWorkerGone:
      return "worker_gone";
    case FaultKind::kWorkerFailed:
      return "worker_failed";
    case FaultKind::kJudge:
      return "judge";
  }
  return "?";
}

std::string Describe(const Fault& fault) {
  return std::string(FaultKindName(fault.kind)) + ": " + fault.reason;
}

}  // namespace cambrian::kernels
