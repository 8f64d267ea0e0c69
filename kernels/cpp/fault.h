// How a judged exchange with a worker can go wrong (kernels/PROTOCOL.md,
// "Failures"). A fault is a result about the worker, except kJudge, which
// means the judge itself is broken (a task bug or a broken machine) and
// should exit non-zero instead of scoring anything.
#ifndef CAMBRIAN_KERNELS_FAULT_H_
#define CAMBRIAN_KERNELS_FAULT_H_

#include <string>

namespace cambrian::kernels {

enum class FaultKind {
  kProtocol,      // a message that breaks the protocol (bad header, order, size, descriptors)
  kTimeout,       // the worker did not answer before the deadline
  kWorkerGone,    // end of file on the socket: the worker exited or closed it
  kWorkerFailed,  // the worker sent FAIL
  kJudge,         // the judge's own operation failed (memfd, mmap, meter, ...)
};

struct Fault {
  FaultKind kind = FaultKind::kProtocol;
  std::string reason;  // short, for people; may quote bounded worker text
};

// "protocol", "timeout", "worker_gone", "worker_failed", "judge".
const char* FaultKindName(FaultKind kind);

// "<kind>: <reason>", for feedback.
std::string Describe(const Fault& fault);

}  // namespace cambrian::kernels

#endif  // CAMBRIAN_KERNELS_FAULT_H_
