// How one job, stage or candidate ended. A failing candidate is a result with
// an outcome, never an error Status: a non-OK Status means the harness broke.
#ifndef CAMBRIAN_COMMON_OUTCOME_H_
#define CAMBRIAN_COMMON_OUTCOME_H_

#include <optional>
#include <string_view>

namespace cambrian {

enum class Outcome {
  kOk,            // every stage passed
  kBuildError,    // a stage named "build" (or the first stage) exited non-zero
  kRuntimeError,  // a later stage exited non-zero or died of a signal
  kTimeout,       // wall-clock or CPU-time limit
  kMemoryLimit,   // the address-space / memory cap fired
  kOutputLimit,   // the job printed more than its output cap
  kKilled,        // stopped by the harness (Ctrl-C, shutdown) or an unknown signal
  kWrongAnswer,   // exited 0 but a pass_if failed or a needed metric is missing
  kProcessLimit,  // the job's process tree hit its process-count cap (a fork bomb)
  kDiskLimit,     // the job's directories grew past their total size cap
  kTampered,      // the job changed files outside its own directories (the trusted
                  // files); never scored
  kImplausible,   // every stage passed but the score is outside what the task declares
                  // possible ([fitness] plausible, plausible_if); never ranked
  kInodeLimit,    // the job's directories hold more files than its inode cap
  // The controller died while this candidate was in flight, twice: recorded,
  // never re-run automatically (it may be what kills it).
  kControllerCrash,
};

// Stable lower-case names ("ok", "build_error", ...) as stored in the archive.
std::string_view OutcomeName(Outcome outcome);
std::optional<Outcome> ParseOutcome(std::string_view name);

}  // namespace cambrian

#endif  // CAMBRIAN_COMMON_OUTCOME_H_
