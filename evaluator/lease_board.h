// The work list of the Slurm executor's workers mode: evaluations wait to be
// leased by a worker, the worker heartbeats while it runs one, and a lease
// that stops heartbeating expires and puts its evaluation back for another
// worker. Pure bookkeeping over a clock, so its rules are unit-tested; the
// HTTP server (worker_executor.h) and the workers (`cambrian worker`) are
// its transport.
#ifndef CAMBRIAN_EVALUATOR_LEASE_BOARD_H_
#define CAMBRIAN_EVALUATOR_LEASE_BOARD_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/program.h"
#include "evaluator/evaluation.h"

namespace cambrian::evaluator {

struct Work {
  std::string job;      // the evaluation's job name ("c17")
  uint64_t seed = 0;    // CAMBRIAN_SEED base
  Program program;      // the whole program
  std::string request;  // "SEED PROGRAM_HASH": identifies the work across controllers
};

struct Lease {
  std::string id;  // random, unguessable: a worker proves it holds the lease with it
  Work work;
};

class LeaseBoard {
 public:
  // A lease lives `ttl` past its last heartbeat; an evaluation whose leases
  // expired `max_expiries` times fails (its workers keep dying on it).
  LeaseBoard(const Clock& clock, absl::Duration ttl, int max_expiries);

  // Queues `work` and waits for its result: the evaluation, kKilled once
  // `cancel` is set (its lease, if any, is revoked), or Unavailable after
  // too many expired leases. Thread-safe.
  absl::StatusOr<Evaluation> Run(Work work, const std::atomic<bool>* cancel);

  // The next queued evaluation for `worker`, waiting up to `wait` for one;
  // nullopt if none came.
  std::optional<Lease> Take(const std::string& worker, absl::Duration wait);
  // Extends lease `id`. NotFound when it expired or was revoked (the worker
  // must stop that evaluation). `request` adopts a lease a previous
  // controller granted: an unknown id whose job is queued with the same
  // request becomes that job's lease.
  absl::Status Heartbeat(const std::string& id, const std::string& job, const std::string& request);
  // Delivers the result of lease `id` (or, as above, of an adopted one):
  // an evaluation, or the error that ended it on the worker (the task is
  // broken: the run stops with it). NotFound if the lease is gone (its
  // evaluation was redone elsewhere).
  absl::Status Deliver(const std::string& id, const std::string& job, const std::string& request,
                       absl::StatusOr<Evaluation> evaluation);
  // Keeps `jobs` from being leased before `until`: on resume, the workers
  // of the earlier controller get that long to heartbeat or deliver them
  // (and so have them adopted) before another worker starts them again.
  void Hold(const std::set<std::string>& jobs, absl::Time until);
  // Until `until`, a heartbeat for a lease the board does not know is
  // answered OK and a result for one is kept for the job's Run: a resumed
  // controller answers its predecessor's workers before it has queued the
  // work again (their evaluations are then adopted, not stopped).
  void Grace(absl::Time until);
  // Ends every evaluation no worker holds with `error` (no worker will come).
  void FailQueued(const absl::Status& error);
  // Expires leases past their time; returns how many. Called periodically.
  int Expire();

  int queued() const;
  int leased() const;
  // Wakes every Run and Take (shutdown).
  void Close();

 private:
  struct Entry {
    Work work;
    std::string lease;  // "" while queued
    std::string worker;
    absl::Time deadline;
    int expiries = 0;
    std::optional<absl::StatusOr<Evaluation>> result;
  };
  Entry* Find(const std::string& lease, const std::string& job, const std::string& request);

  const Clock& clock_;
  const absl::Duration ttl_;
  const int max_expiries_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<uint64_t, Entry> entries_;  // by ticket, in queue order
  uint64_t next_ticket_ = 0;
  std::map<std::string, absl::Time> held_;  // job -> not leased before
  absl::Time grace_until_ = absl::InfinitePast();
  std::map<std::string, absl::StatusOr<Evaluation>>
      early_;  // "JOB\nREQUEST" -> a result delivered in grace
  bool closed_ = false;
};

}  // namespace cambrian::evaluator

#endif  // CAMBRIAN_EVALUATOR_LEASE_BOARD_H_
