// A Sandbox for orchestrator tests whose jobs take time and honour
// cancellation, which FakeSandbox (tests/testing/fake_sandbox.h) does not:
// each job holds for `hold` (the first `free_jobs` jobs not at all), ends
// early with kKilled when its JobSpec::cancel is set, and otherwise passes and
// writes `metrics_json` as $CAMBRIAN_OUT/metrics.json. It counts how many jobs
// run at once, so a test can check concurrency without timing anything.
// Thread-safe. Header-only.
#ifndef CAMBRIAN_TESTS_ORCHESTRATOR_SLOW_SANDBOX_H_
#define CAMBRIAN_TESTS_ORCHESTRATOR_SLOW_SANDBOX_H_

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "sandbox/sandbox.h"

namespace cambrian::orchestrator {

struct SlowSandboxOptions {
  absl::Duration hold = absl::Seconds(10);  // how long a job runs unless cancelled
  int free_jobs = 0;                        // the first jobs finish at once
  // If > 0, a holding job also ends as soon as this many jobs are running at
  // once (they have all been seen concurrently), so a concurrency test need
  // not wait for `hold`.
  int release_at_active = 0;
  std::string metrics_json = R"({"metrics": {"x": 1, "y": 1, "valid": 1}})";
};

class SlowSandbox : public sandbox::Sandbox {
 public:
  explicit SlowSandbox(SlowSandboxOptions options) : options_(std::move(options)) {}

  absl::StatusOr<sandbox::JobResult> Run(const sandbox::JobSpec& spec) override {
    const absl::Time start = absl::Now();
    bool free;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      free = started_++ < options_.free_jobs;
      if (!free) {
        ++active_;
        ++holding_;
        max_active_ = std::max(max_active_, active_);
        if (options_.release_at_active > 0 && active_ >= options_.release_at_active) {
          released_ = true;
        }
      }
    }
    changed_.notify_all();
    bool cancelled = false;
    if (!free) {
      std::unique_lock<std::mutex> lock(mutex_);
      while (!released_ && absl::Now() - start < options_.hold) {
        if (spec.cancel != nullptr && spec.cancel->load()) {
          cancelled = true;
          break;
        }
        changed_.wait_for(lock, std::chrono::milliseconds(2));
      }
      --active_;
    }
    sandbox::JobResult result;
    result.wall_seconds = absl::ToDoubleSeconds(absl::Now() - start);
    if (cancelled) {
      result.outcome = Outcome::kKilled;
      result.term_signal = 9;
      result.detail = "killed: cancelled";
      return result;
    }
    result.exit_code = 0;
    auto out = spec.env.find("CAMBRIAN_OUT");
    if (out != spec.env.end()) {
      std::ofstream file(std::filesystem::path(out->second) / "metrics.json");
      file << options_.metrics_json;
    }
    return result;
  }

  int max_active() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return max_active_;
  }
  int started() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return started_;
  }
  // Blocks until `n` jobs have started holding (not counting free jobs);
  // false if that did not happen within `timeout`.
  bool WaitForHolding(int n, absl::Duration timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                             [&] { return holding_ >= n; });
  }

 private:
  const SlowSandboxOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  int started_ = 0;
  int active_ = 0;
  int holding_ = 0;
  int max_active_ = 0;
  bool released_ = false;
};

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_TESTS_ORCHESTRATOR_SLOW_SANDBOX_H_
