// The wire format between the controller and its Slurm workers (workers
// mode, docs/slurm.md): JSON over HTTP, every request carrying
// "Authorization: Bearer TOKEN" (the run's RUN/slurm/workers.token).
//
//   POST /v1/lease      {"worker"}                 -> 200 WORK | 204 (none yet)
//   POST /v1/heartbeat  {"lease", "job", "request"} -> 200 | 410 (stop it)
//   POST /v1/result     {"lease", "job", "request", "evaluation": {...}}
//                                                  -> 200 | 410 (redone elsewhere)
//   WORK = {"lease", "job", "seed", "request", "program": {PATH: BASE64}}
//
// A lease waits up to 20 s for work; a worker heartbeats every 5 s and a
// lease unheard of for 30 s goes back to the queue.
#ifndef CAMBRIAN_EVALUATOR_WORKER_PROTOCOL_H_
#define CAMBRIAN_EVALUATOR_WORKER_PROTOCOL_H_

#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "evaluator/executor.h"  // RequestOf: a lease's "request"
#include "evaluator/lease_board.h"

namespace cambrian::evaluator {

inline constexpr absl::Duration kLeaseWait = absl::Seconds(20);
inline constexpr absl::Duration kHeartbeatEvery = absl::Seconds(5);
inline constexpr absl::Duration kLeaseTtl = absl::Seconds(30);

std::string LeaseToJson(const Lease& lease);
// DataLoss naming what is wrong.
[[nodiscard]] absl::StatusOr<Lease> LeaseFromJson(const std::string& text);

// "HOST:PORT" (the controller file, surrounding whitespace ignored) as its
// host and port; nullopt if it is not that.
std::optional<std::pair<std::string, int>> ParseAddress(const std::string& text);

}  // namespace cambrian::evaluator

#endif  // CAMBRIAN_EVALUATOR_WORKER_PROTOCOL_H_
