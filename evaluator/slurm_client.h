// Slurm's own commands, behind a small interface: sbatch to submit, one
// batched squeue per poll for the state of many jobs, scancel. The real
// client runs the commands Slurm installs (they read SLURM_CONF from the
// environment like any user's would); tests of the layers above use a fake.
#ifndef CAMBRIAN_EVALUATOR_SLURM_CLIENT_H_
#define CAMBRIAN_EVALUATOR_SLURM_CLIENT_H_

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cambrian::evaluator {

// What squeue says about one job.
struct SlurmJobState {
  std::string id;
  std::string name;
  std::string state;   // PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, NODE_FAIL, ...
  std::string reason;  // why it is pending, or "None"
  std::string nodes;   // where it runs or ran ("" while pending)
};

class SlurmClient {
 public:
  virtual ~SlurmClient() = default;
  // Submits `script` with `args` before it; the new job's id.
  [[nodiscard]] virtual absl::StatusOr<std::string> Submit(
      const std::filesystem::path& script, const std::vector<std::string>& args) = 0;
  // The state of each of `ids` that Slurm still knows (finished jobs stay
  // known for the cluster's MinJobAge): one squeue call for all of them. A
  // job Slurm no longer knows is absent from the map.
  [[nodiscard]] virtual absl::StatusOr<std::map<std::string, SlurmJobState>> Query(
      const std::vector<std::string>& ids) = 0;
  // This user's jobs, of any state Slurm still knows, whose names start with
  // `prefix` (one squeue call).
  [[nodiscard]] virtual absl::StatusOr<std::vector<SlurmJobState>> Named(
      const std::string& prefix) = 0;
  [[nodiscard]] virtual absl::Status Cancel(const std::vector<std::string>& ids) = 0;
};

// A command's exit status and output.
struct ToolOutput {
  int exit_code = -1;  // -1: killed by a signal (or the timeout)
  std::string out;
  std::string err;
};

// Runs `argv` (argv[0] looked up in PATH) with stdin from /dev/null, the
// caller's environment, and both outputs captured, killing it after
// `timeout`. Internal if it cannot be started.
[[nodiscard]] absl::StatusOr<ToolOutput> RunTool(const std::vector<std::string>& argv,
                                                 absl::Duration timeout);

// The client over sbatch, squeue and scancel. Each call is bounded by
// `timeout`; a command that fails is Unavailable naming it and its stderr.
class CliSlurmClient : public SlurmClient {
 public:
  explicit CliSlurmClient(absl::Duration timeout = absl::Seconds(60)) : timeout_(timeout) {}
  absl::StatusOr<std::string> Submit(const std::filesystem::path& script,
                                     const std::vector<std::string>& args) override;
  absl::StatusOr<std::map<std::string, SlurmJobState>> Query(
      const std::vector<std::string>& ids) override;
  absl::StatusOr<std::vector<SlurmJobState>> Named(const std::string& prefix) override;
  absl::Status Cancel(const std::vector<std::string>& ids) override;

 private:
  absl::StatusOr<ToolOutput> Run(const std::vector<std::string>& argv) const;
  absl::Duration timeout_;
};

// squeue's lines in the format CliSlurmClient asks for ("%i|%j|%T|%r|%N");
// lines that do not parse are skipped. Exposed for tests.
std::vector<SlurmJobState> ParseSqueue(const std::string& out);

}  // namespace cambrian::evaluator

#endif  // CAMBRIAN_EVALUATOR_SLURM_CLIENT_H_
