// The effective configuration of one search run, filled from flags by the
// `run` command and stored with the run (as JSON) so it can be shown later.
#ifndef CAMBRIAN_ORCHESTRATOR_RUN_CONFIG_H_
#define CAMBRIAN_ORCHESTRATOR_RUN_CONFIG_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "mutators/llm/embedder.h"
#include "mutators/llm/model_config.h"
#include "orchestrator/population.h"

namespace cambrian::orchestrator {

// The LLM part of a run: the ensemble, the caps, the prompts.
struct LlmRunConfig {
  std::vector<mutators::ModelConfig> models;  // empty = no LLM mutator
  bool replay = false;                        // answer from a recorded run's calls only
  std::filesystem::path replay_from;          // that run's directory
  std::optional<double> max_cost_usd;         // --max-cost
  std::optional<int64_t> max_tokens;          // --max-tokens
  std::filesystem::path prompts_dir;          // "" = the built-in prompts/
  double diff_weight = 0.7;                   // SEARCH/REPLACE edits
  double rewrite_weight = 0.3;                // whole-file rewrites
  // How each call's model is chosen: "weights" (each model's weight) or
  // "bandit" (mutators/llm/model_bandit.h: improvements per cost, learned).
  std::string selection = "weights";
  // An /embeddings server for the novelty filter (used when llm_novelty < 1).
  mutators::EmbeddingConfig embeddings;

  bool enabled() const { return replay || !models.empty(); }
};

// The Slurm executor's settings (evaluator/slurm_executor.h, docs/slurm.md).
struct SlurmRunConfig {
  // "jobs": one Slurm job per evaluation. "workers": a job array of
  // `workers` long-lived workers that lease evaluations from the controller.
  std::string mode = "jobs";
  std::string host;  // workers mode: how nodes reach the controller ("": its host name)
  std::string partition, account, qos, gres, constraint;  // "": the cluster's default
  absl::Duration time_limit = absl::ZeroDuration();       // 0: the task's timeouts + 5 min
  absl::Duration pending_limit = absl::Hours(2);          // a job pending longer stops the run
  std::vector<std::string> extra_args;                    // more sbatch arguments
};

// --llm-concurrency when no server says how many requests it serves at once.
inline constexpr int kDefaultLlmConcurrency = 4;

struct RunConfig {
  std::filesystem::path task_dir;
  std::filesystem::path run_dir;
  int workers = 2;                              // parallel job slots
  std::optional<int64_t> max_evaluations;       // candidates evaluated, seed included
  std::optional<absl::Duration> max_wall_time;  // stop dispatching after this long, all sessions
  std::optional<int64_t> patience;  // stop after this many evaluations without a new best
  uint64_t seed = 1;                // every random choice derives from it
  // "evolve": islands of MAP-Elites grids (`population`). "random": the same
  // mutators on parents drawn uniformly from every evaluated candidate,
  // blind to fitness - the baseline that shows a search beats chance.
  std::string strategy = "evolve";
  PopulationConfig population;
  double crossover_rate = 0.2;  // share of proposals made by crossover once 2 parents exist
  int proposal_attempts = 50;   // tries to find a new, allowed child before giving up
  // Relative weights of the non-crossover mutators by name ("knob", "llm");
  // a mutator not listed weighs 1.
  std::map<std::string, double> mutator_weights;
  double repair_rate = 0.1;  // share of LLM proposals that try to fix a recent failure
  // LLM requests in flight at once; 0: the servers' slots where they say
  // (llama.cpp), else 4.
  int llm_concurrency = 0;
  // With an LLM configured: the share of evaluations it should make. A free
  // slot waits for an LLM child while the LLM is below it (and not backing
  // off after failures); offline mutators fill the rest.
  double llm_share = 0.8;
  // The novelty filter (orchestrator/novelty.h): an LLM child at least this
  // similar to its parent is skipped; 1 skips only layout-only changes.
  double llm_novelty = 1.0;
  bool keep_job_dirs = false;
  // A seed that fails stops the run with its reason (every child of a broken
  // seed tends to fail the same way), unless this is set: a stub seed that
  // an LLM is meant to complete.
  bool seed_may_fail = false;
  // Notifications (orchestrator/notifier.h): a webhook URL and a shell
  // command. Never stored with the run (a webhook URL is often a secret):
  // `resume` takes them again.
  std::string notify_url;
  std::string notify_cmd;
  std::string profile;           // the task profile ([profiles.NAME]); "" = none declared
  std::string sandbox = "auto";  // auto | bwrap | process (sandbox/sandbox_factory.h)
  // Where evaluations run: "local" (this machine, `workers` at once) or
  // "slurm" (one Slurm job per evaluation, `workers` jobs at once).
  std::string executor = "local";
  SlurmRunConfig slurm;
  LlmRunConfig llm;
};

// The configuration RunConfigToJson stored (resume). DataLoss if damaged.
[[nodiscard]] absl::StatusOr<RunConfig> RunConfigFromJson(const std::string& text);

// Reads a run config file (TOML, see docs/llm.md) into `config`, on top of
// what it holds. InvalidArgument naming the file, line and key on a bad
// value or an unknown key.
[[nodiscard]] absl::Status LoadRunConfigFile(const std::filesystem::path& path, RunConfig& config);

// JSON object text with every field (durations in seconds, absent = null).
std::string RunConfigToJson(const RunConfig& config);

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_RUN_CONFIG_H_
