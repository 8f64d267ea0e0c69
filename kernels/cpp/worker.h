// The worker's end of a judged stage (kernels/PROTOCOL.md): connects from
// CAMBRIAN_JUDGE_FD, sends HELLO, maps the buffers MEMORY hands it (input
// read-only, output read-write), serves each CALL with a handler, and
// returns on BYE or end of file.
//
// This code runs inside the candidate's process and is untrusted like the
// rest of it: the judge relies on nothing it does. It exists so that honest
// candidates need not write the protocol themselves.
#ifndef CAMBRIAN_KERNELS_WORKER_H_
#define CAMBRIAN_KERNELS_WORKER_H_

#include <cstddef>
#include <functional>
#include <span>
#include <string>

#include "declarations.h"
#include "wire.h"

namespace cambrian::kernels {

struct WorkerMemory {
  std::span<const std::byte> input;  // mapped PROT_READ
  std::span<std::byte> output;       // mapped PROT_READ | PROT_WRITE
};

struct WorkerCall {
  uint64_t seq = 0;
  CallArgs args;
};

// A handler's answer: DONE with `declared`, or FAIL with `reason`.
struct WorkerReply {
  bool ok = true;
  Declarations declared;
  std::string reason;

  static WorkerReply Done() { return {}; }
  static WorkerReply Failed(std::string why) { return {false, {}, std::move(why)}; }
};

// Called once per CALL, on the thread that called RunWorker. An exception it
// throws becomes a FAIL carrying what() and ends the loop.
using CallHandler = std::function<WorkerReply(const WorkerCall& call, const WorkerMemory& memory)>;

// Serves the judge on `socket` (owned). Returns 0 after BYE or end of file
// (the judge stopped), 1 after a handler's FAIL, a malformed or out-of-order
// message (a FAIL naming it is sent first), or a buffer that cannot be
// mapped; `*error` then says why.
int RunWorker(UniqueFd socket, const Declarations& hello, const CallHandler& handler,
              std::string* error);

// RunWorker on the descriptor in CAMBRIAN_JUDGE_FD; prints any error to
// stderr prefixed "worker: ". Returns the exit status for main (2 when the
// variable is missing).
int RunWorkerFromEnv(const Declarations& hello, const CallHandler& handler);

}  // namespace cambrian::kernels

#endif  // CAMBRIAN_KERNELS_WORKER_H_
