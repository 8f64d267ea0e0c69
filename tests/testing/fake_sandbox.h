// A scripted Sandbox for tests: answers each job by the first rule whose
// substring occurs in the job's command (argv.back(), the `sh -c` script),
// writes that rule's files into the job's $CAMBRIAN_OUT, and records every
// JobSpec it was given. Unmatched commands succeed (kOk, exit 0) and write
// nothing. Thread-safe.
#ifndef CAMBRIAN_TESTS_TESTING_FAKE_SANDBOX_H_
#define CAMBRIAN_TESTS_TESTING_FAKE_SANDBOX_H_

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sandbox/sandbox.h"

namespace cambrian::testing {

struct FakeJob {
  sandbox::JobResult result;  // returned as is (outcome kOk, exit 0 by default)
  // name -> content, written into $CAMBRIAN_OUT before returning.
  std::map<std::string, std::string> out_files;
  // If set, Run returns this error instead (a broken sandbox).
  absl::Status error = absl::OkStatus();
  // If set, called with the spec while the "job runs" (the job directory
  // exists then), e.g. to look at the files the job would see.
  std::function<void(const sandbox::JobSpec&)> on_run;
};

// A passing job that reports `metrics_json` as its metrics.json.
inline FakeJob Reports(std::string metrics_json) {
  FakeJob job;
  job.result.exit_code = 0;
  job.out_files["metrics.json"] = std::move(metrics_json);
  return job;
}

// A job that ended with `outcome` (exit code 1 unless kOk).
inline FakeJob Ends(Outcome outcome, std::string detail = "") {
  FakeJob job;
  job.result.outcome = outcome;
  job.result.exit_code = outcome == Outcome::kOk ? 0 : 1;
  job.result.detail = std::move(detail);
  return job;
}

class FakeSandbox : public sandbox::Sandbox {
 public:
  // Rules are tried in the order they were added.
  void On(std::string command_substring, FakeJob job) {
    std::lock_guard<std::mutex> lock(mutex_);
    rules_.emplace_back(std::move(command_substring), std::move(job));
  }

  absl::StatusOr<sandbox::JobResult> Run(const sandbox::JobSpec& spec) override {
    FakeJob job = Match(spec);
    if (job.on_run) job.on_run(spec);
    if (!job.error.ok()) return job.error;
    auto out = spec.env.find("CAMBRIAN_OUT");
    for (const auto& [name, content] : job.out_files) {
      if (out == spec.env.end()) return absl::FailedPreconditionError("no CAMBRIAN_OUT in env");
      std::ofstream file(std::filesystem::path(out->second) / name, std::ios::binary);
      file << content;
      if (!file) return absl::InternalError("FakeSandbox: cannot write " + name);
    }
    if (job.result.exit_code == -1 && job.result.outcome == Outcome::kOk) job.result.exit_code = 0;
    return job.result;
  }

  // Every spec Run received, in order.
  std::vector<sandbox::JobSpec> specs() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return specs_;
  }

  // The commands (argv.back()) Run received, in order.
  std::vector<std::string> commands() const {
    std::vector<std::string> commands;
    for (const sandbox::JobSpec& spec : specs()) {
      commands.push_back(spec.argv.empty() ? "" : spec.argv.back());
    }
    return commands;
  }

 private:
  FakeJob Match(const sandbox::JobSpec& spec) {
    std::lock_guard<std::mutex> lock(mutex_);
    specs_.push_back(spec);
    const std::string command = spec.argv.empty() ? "" : spec.argv.back();
    for (const auto& [substring, job] : rules_) {
      if (command.find(substring) != std::string::npos) return job;
    }
    return Ends(Outcome::kOk);
  }

  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, FakeJob>> rules_;
  std::vector<sandbox::JobSpec> specs_;
};

}  // namespace cambrian::testing

#endif  // CAMBRIAN_TESTS_TESTING_FAKE_SANDBOX_H_
