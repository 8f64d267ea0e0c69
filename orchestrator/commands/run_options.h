// The flags of `cambrian run` and how they become a RunConfig: defaults,
// then the --config file, then the flags given on the command line.
#ifndef CAMBRIAN_ORCHESTRATOR_COMMANDS_RUN_OPTIONS_H_
#define CAMBRIAN_ORCHESTRATOR_COMMANDS_RUN_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/task.h"
#include "orchestrator/run_config.h"

namespace CLI {
class App;
}

namespace cambrian::orchestrator {

struct RunOptions {
  std::string task;
  std::string run_dir;
  std::string config_file;
  int64_t budget = 0;
  std::string time;
  int workers = 2;
  uint64_t seed = 1;
  int top = 10;
  bool keep_jobs = false;
  bool seed_may_fail = false;
  std::string notify;      // a webhook URL
  std::string notify_cmd;  // a shell command
  bool resume = false;
  std::string strategy;
  std::string sandbox;           // "" = the config's (auto)
  std::string profile;           // "" = the task's default_profile
  int islands = 0;               // 0 = the config's
  int64_t patience = 0;          // 0 = none
  std::vector<std::string> llm;  // "openai:gpt-4.1-mini@0.8", "replay"
  std::string llm_base_url;
  std::string llm_key_env;
  double llm_temperature = 0;
  std::string llm_grammar;
  int llm_max_tokens = 0;
  std::string llm_timeout;
  int llm_concurrency = 0;
  double llm_share = 0.8;
  double llm_novelty = 1.0;
  double max_cost = 0;
  int64_t max_tokens = 0;
  std::string prompts;
  std::string llm_selection;
  std::string llm_embeddings;  // an /embeddings base URL
  std::string llm_embeddings_model;
  std::string replay_from;
  std::vector<std::string> weights;  // "llm=0.8", "knob=0.2"
  std::string executor;              // "" = the config's (local)
  std::string slurm_mode, slurm_host;
  std::string slurm_partition, slurm_account, slurm_qos, slurm_gres, slurm_constraint;
  std::string slurm_time, slurm_pending_limit;  // durations
  std::vector<std::string> slurm_args;
  const CLI::App* app = nullptr;  // set by AddRunFlags: which flags were given
};

// Declares every flag of `run` on `app`, bound to `options`.
void AddRunFlags(CLI::App& app, RunOptions& options);

// The effective configuration; `now` stamps the default run directory.
// InvalidArgument naming the flag or file on a bad value.
[[nodiscard]] absl::StatusOr<RunConfig> MakeRunConfig(const RunOptions& options, const Task& task,
                                                      absl::Time now);

// Declares the flags of `resume`: the run directory and the settings a
// resumed run may change (budgets, patience, workers, leaderboard rows).
void AddResumeFlags(CLI::App& app, RunOptions& options);

// The budgets, patience and workers the command line gives, on top of
// `config` (a new run's, or on resume the stored one); on resume also where
// the models are served (--llm-base-url, --llm-key-env, --llm-timeout) and
// the LLM concurrency and caps. InvalidArgument on a
// bad value.
[[nodiscard]] absl::Status ApplyBudgetFlags(const RunOptions& options, RunConfig& config);

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_COMMANDS_RUN_OPTIONS_H_
