#include "orchestrator/commands/run_options.h"

#include <CLI/CLI.hpp>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "archive/sqlite_archive.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "common/units.h"
#include "orchestrator/run_dir.h"
#include "sandbox/sandbox_factory.h"

namespace cambrian::orchestrator {
namespace {
namespace fs = std::filesystem;

// Whether `flag` was on the command line (false for a flag this command
// does not take: `resume` takes fewer than `run`).
bool Given(const RunOptions& options, const std::string& flag) {
  if (options.app == nullptr) return false;
  const CLI::Option* option = options.app->get_option_no_throw(flag);
  return option != nullptr && option->count() > 0;
}

fs::path DefaultRunDir(const Task& task, absl::Time now) {
  std::string stamp = absl::FormatTime("%Y%m%d-%H%M%S", now, absl::LocalTimeZone());
  fs::path base = fs::path(kDefaultRunsDir) / absl::StrCat(task.name, "-", stamp);
  fs::path dir = base;
  for (int i = 2; fs::exists(dir); ++i) dir = absl::StrCat(base.string(), "-", i);
  return dir;
}

void AddSlurmFlags(CLI::App& app, RunOptions& options) {
  app.add_option("--executor", options.executor,
                 "Where evaluations run: local (default) or slurm (one job per evaluation)")
      ->check(CLI::IsMember(std::vector<std::string>{"local", "slurm"}));
  app.add_option("--slurm-mode", options.slurm_mode,
                 "jobs: one Slurm job per evaluation (default); workers: a job array of "
                 "--workers workers that lease evaluations")
      ->check(CLI::IsMember(std::vector<std::string>{"jobs", "workers"}));
  app.add_option("--slurm-host", options.slurm_host,
                 "Workers mode: the controller's address as the nodes reach it (default: "
                 "this host's name)");
  app.add_option("--slurm-partition", options.slurm_partition, "Slurm partition of the jobs");
  app.add_option("--slurm-account", options.slurm_account, "Slurm account charged");
  app.add_option("--slurm-qos", options.slurm_qos, "Slurm quality of service");
  app.add_option("--slurm-gres", options.slurm_gres,
                 "Slurm --gres of each job (default: gpu:N for a task with N GPUs)");
  app.add_option("--slurm-constraint", options.slurm_constraint, "Slurm node features");
  app.add_option("--slurm-time", options.slurm_time,
                 "Time limit of each job (default: the task's timeouts + 5 min)");
  app.add_option("--slurm-pending-limit", options.slurm_pending_limit,
                 "Stop the run when a job is still pending after this long (default 2h)");
  app.add_option("--slurm-arg", options.slurm_args,
                 "One more sbatch argument, repeatable, e.g. --slurm-arg=--exclusive")
      ->allow_extra_args(false);
}

absl::Status ApplySlurmFlags(const RunOptions& options, RunConfig& config) {
  if (!options.executor.empty()) config.executor = options.executor;
  SlurmRunConfig& slurm = config.slurm;
  if (!options.slurm_mode.empty()) slurm.mode = options.slurm_mode;
  if (!options.slurm_host.empty()) slurm.host = options.slurm_host;
  if (!options.slurm_partition.empty()) slurm.partition = options.slurm_partition;
  if (!options.slurm_account.empty()) slurm.account = options.slurm_account;
  if (!options.slurm_qos.empty()) slurm.qos = options.slurm_qos;
  if (!options.slurm_gres.empty()) slurm.gres = options.slurm_gres;
  if (!options.slurm_constraint.empty()) slurm.constraint = options.slurm_constraint;
  if (!options.slurm_args.empty()) slurm.extra_args = options.slurm_args;
  for (auto [flag, text, out] :
       {std::tuple{"--slurm-time", &options.slurm_time, &slurm.time_limit},
        std::tuple{"--slurm-pending-limit", &options.slurm_pending_limit, &slurm.pending_limit}}) {
    if (text->empty()) continue;
    absl::StatusOr<absl::Duration> parsed = ParseDuration(*text);
    if (!parsed.ok()) return Annotate(parsed.status(), flag);
    *out = *parsed;
  }
  return absl::OkStatus();
}

// Flags that tune models apply to every model, from the file or the flags.
absl::Status ApplyModelFlags(const RunOptions& options, mutators::ModelConfig& model) {
  if (Given(options, "--llm-base-url")) model.base_url = options.llm_base_url;
  if (Given(options, "--llm-key-env")) model.key_env = options.llm_key_env;
  if (Given(options, "--llm-temperature")) model.temperature = options.llm_temperature;
  if (Given(options, "--llm-max-tokens")) model.max_tokens = options.llm_max_tokens;
  if (Given(options, "--llm-grammar")) {
    model.grammar = mutators::ParseGrammarUse(options.llm_grammar).value();  // checked by CLI11
  }
  if (!options.llm_timeout.empty()) {
    absl::StatusOr<absl::Duration> timeout = ParseDuration(options.llm_timeout);
    if (!timeout.ok()) return Annotate(timeout.status(), "--llm-timeout");
    model.timeout = *timeout;
  }
  return absl::OkStatus();
}

absl::Status ApplyLlmFlags(const RunOptions& options, RunConfig& config) {
  if (!options.llm.empty()) {
    // --llm replaces the config file's ensemble rather than adding to it.
    config.llm.models.clear();
    config.llm.replay = false;
  }
  for (const std::string& flag : options.llm) {
    if (flag == "replay") {
      config.llm.replay = true;
      continue;
    }
    absl::StatusOr<mutators::ModelConfig> model = mutators::ParseModelFlag(flag);
    if (!model.ok()) return Annotate(model.status(), absl::StrCat("--llm ", flag));
    config.llm.models.push_back(*std::move(model));
  }
  for (mutators::ModelConfig& model : config.llm.models) {
    CAMBRIAN_RETURN_IF_ERROR(ApplyModelFlags(options, model));
  }
  if (Given(options, "--llm-concurrency")) config.llm_concurrency = options.llm_concurrency;
  if (Given(options, "--llm-share")) config.llm_share = options.llm_share;
  if (Given(options, "--llm-novelty")) config.llm_novelty = options.llm_novelty;
  if (Given(options, "--max-cost")) config.llm.max_cost_usd = options.max_cost;
  if (Given(options, "--max-tokens")) config.llm.max_tokens = options.max_tokens;
  if (!options.prompts.empty()) config.llm.prompts_dir = fs::absolute(options.prompts);
  if (!options.llm_selection.empty()) config.llm.selection = options.llm_selection;
  if (Given(options, "--llm-embeddings")) config.llm.embeddings.base_url = options.llm_embeddings;
  if (Given(options, "--llm-embeddings-model")) {
    config.llm.embeddings.model = options.llm_embeddings_model;
  }
  if (!options.replay_from.empty()) config.llm.replay_from = fs::absolute(options.replay_from);
  if (config.llm.replay && config.llm.replay_from.empty()) {
    return absl::InvalidArgumentError(
        "--llm replay needs --replay-from RUN_DIR (the recorded run)");
  }
  if (config.llm.replay && !config.llm.models.empty()) {
    return absl::InvalidArgumentError("--llm replay answers from a recorded run: give no models");
  }
  if (config.llm_concurrency < 0) {
    return absl::InvalidArgumentError(
        "--llm-concurrency must be >= 1, or 0 for the server's slots");
  }
  if (!(config.llm_novelty > 0 && config.llm_novelty <= 1)) {
    return absl::InvalidArgumentError("--llm-novelty must be above 0 and at most 1");
  }
  if (!(config.llm_share >= 0 && config.llm_share <= 1)) {
    return absl::InvalidArgumentError("--llm-share must be between 0 and 1");
  }
  return absl::OkStatus();
}

absl::Status ApplyWeights(const RunOptions& options, RunConfig& config) {
  for (const std::string& entry : options.weights) {
    size_t eq = entry.find('=');
    double weight = 0;
    if (eq == std::string::npos || !absl::SimpleAtod(entry.substr(eq + 1), &weight) || weight < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--weight expects NAME=WEIGHT with WEIGHT >= 0, not '", entry, "'"));
    }
    config.mutator_weights[entry.substr(0, eq)] = weight;
  }
  // The LLM's part of the children is llm_share; its weight only turns it
  // off (0), as it did not before.
  if (auto llm = config.mutator_weights.find("llm");
      llm != config.mutator_weights.end() && llm->second > 0 && !Given(options, "--llm-share")) {
    LogWarning(absl::StrCat("--weight llm=", llm->second,
                            " does not set the LLM's part of the children: --llm-share does "
                            "(now ",
                            config.llm_share, "); only llm=0 turns the LLM off"));
  }
  return absl::OkStatus();
}

void AddNotifyFlags(CLI::App& app, RunOptions& options) {
  app.add_option("--notify", options.notify,
                 "POST a JSON notice to this URL on a new best, an error storm and the end");
  app.add_option("--notify-cmd", options.notify_cmd,
                 "Run this shell command (the JSON notice on stdin) on the same events");
}

}  // namespace

void AddRunFlags(CLI::App& app, RunOptions& options) {
  options.app = &app;
  app.add_option("task", options.task,
                 "Task directory or built-in task name (with --resume: optional)");
  app.add_flag("--resume", options.resume,
               "Continue the run in --run-dir where it stopped (its stored config and budgets)");
  app.add_option("--run-dir", options.run_dir,
                 "Where to keep the run (default runs/TASK-DATE-TIME)");
  app.add_option("--config", options.config_file, "Run config file (TOML, see docs/llm.md)");
  app.add_option("--budget", options.budget,
                 "Stop after this many evaluations (default 100 if no --time)");
  app.add_option("--time", options.time, "Stop after this long, e.g. 3m, 2h");
  app.add_option("--workers", options.workers, "Parallel job slots")->capture_default_str();
  app.add_option("--strategy", options.strategy,
                 "evolve (default) or random: the same mutators on fitness-blind parents");
  app.add_option("--profile", options.profile,
                 "Task profile, e.g. smoke, demo, gpu (default: the task's default_profile)");
  app.add_option("--sandbox", options.sandbox,
                 "auto (default: bwrap where it works), bwrap, or process (no isolation)");
  app.add_option("--islands", options.islands, "Islands of the evolve strategy (default 3)");
  app.add_option("--patience", options.patience,
                 "Stop after this many evaluations without a new best");
  app.add_option("--seed", options.seed, "Seed of every random choice")->capture_default_str();
  app.add_option("--top", options.top, "Leaderboard rows printed at the end")
      ->capture_default_str();
  AddNotifyFlags(app, options);
  app.add_flag("--seed-may-fail", options.seed_may_fail,
               "Go on when the seed fails (its children may fix it); otherwise the run stops");
  app.add_flag("--keep-jobs", options.keep_jobs,
               "Keep job directories under RUN_DIR/jobs for debugging");
  app.add_option("--llm", options.llm,
                 "LLM PROVIDER:MODEL[@WEIGHT] (openai, anthropic), repeatable; or 'replay'")
      ->allow_extra_args(false);  // one value per --llm, so a task may follow
  app.add_option("--llm-base-url", options.llm_base_url,
                 "Base URL of an OpenAI-compatible server (vLLM, Ollama, llama.cpp, OpenRouter)");
  app.add_option("--llm-key-env", options.llm_key_env,
                 "Environment variable holding the API key ('' for none)");
  app.add_option("--llm-temperature", options.llm_temperature, "Sampling temperature");
  app.add_option("--llm-max-tokens", options.llm_max_tokens, "Most output tokens per reply");
  app.add_option("--llm-timeout", options.llm_timeout, "Per-request timeout, e.g. 120s");
  app.add_option("--llm-grammar", options.llm_grammar,
                 "Constrain replies to an edit that applies: auto (where the server is "
                 "llama.cpp), on, off")
      ->check(CLI::IsMember(std::vector<std::string>{"auto", "on", "off"}));
  app.add_option("--llm-concurrency", options.llm_concurrency,
                 "LLM requests in flight at once (default: the server's slots where it says, "
                 "else 4)");
  app.add_option("--llm-share", options.llm_share,
                 "Share of evaluations the LLM should make (slots wait for it below this)")
      ->capture_default_str();
  app.add_option("--llm-novelty", options.llm_novelty,
                 "Skip an LLM child at least this similar to its parent (1: layout-only changes)")
      ->capture_default_str();
  app.add_option("--max-cost", options.max_cost, "Hard cap on LLM spend in US dollars");
  app.add_option("--max-tokens", options.max_tokens, "Hard cap on LLM tokens (input + output)");
  app.add_option("--prompts", options.prompts, "Directory of prompt templates (default prompts/)");
  app.add_option("--llm-selection", options.llm_selection,
                 "How each call's model is chosen: weights (default) or bandit (learned)")
      ->check(CLI::IsMember(std::vector<std::string>{"weights", "bandit"}));
  app.add_option("--llm-embeddings", options.llm_embeddings,
                 "An OpenAI-compatible /embeddings base URL: --llm-novelty compares embeddings");
  app.add_option("--llm-embeddings-model", options.llm_embeddings_model,
                 "The model named in embeddings requests");
  app.add_option("--replay-from", options.replay_from, "With --llm replay: the recorded run");
  app.add_option("--weight", options.weights, "Mutator weight NAME=W (llm, knob), repeatable")
      ->allow_extra_args(false);
  AddSlurmFlags(app, options);
}

void AddResumeFlags(CLI::App& app, RunOptions& options) {
  options.app = &app;
  options.resume = true;
  app.add_option("run_dir", options.run_dir, "The run directory to continue")->required();
  app.add_option("--budget", options.budget, "A new evaluation budget for the whole run");
  app.add_option("--time", options.time, "A new time budget for the whole run, e.g. 8h");
  app.add_option("--patience", options.patience,
                 "Stop after this many evaluations without a new best");
  app.add_option("--workers", options.workers, "Parallel job slots");
  app.add_option("--top", options.top, "Leaderboard rows printed at the end")
      ->capture_default_str();
  app.add_option("--llm-base-url", options.llm_base_url, "A new base URL for the run's models");
  app.add_option("--llm-key-env", options.llm_key_env,
                 "A new environment variable holding the models' key ('' for none)");
  app.add_option("--llm-timeout", options.llm_timeout, "A new per-request timeout, e.g. 120s");
  app.add_option("--llm-concurrency", options.llm_concurrency, "LLM requests in flight at once");
  app.add_option("--llm-embeddings", options.llm_embeddings,
                 "A new base URL for the run's /embeddings server");
  app.add_option("--max-cost", options.max_cost, "A new cap on the run's LLM spend in US dollars");
  app.add_option("--max-tokens", options.max_tokens, "A new cap on the run's LLM tokens");
  AddNotifyFlags(app, options);
}

absl::Status ApplyBudgetFlags(const RunOptions& options, RunConfig& config) {
  if (Given(options, "--budget")) {
    if (options.budget < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("--budget must be at least 1 (got ", options.budget, ")"));
    }
    config.max_evaluations = options.budget;
  }
  if (!options.time.empty()) {
    absl::StatusOr<absl::Duration> time = ParseDuration(options.time);
    if (!time.ok()) return Annotate(time.status(), "--time");
    config.max_wall_time = *time;
  }
  if (Given(options, "--patience")) {
    if (options.patience < 1) return absl::InvalidArgumentError("--patience must be at least 1");
    config.patience = options.patience;
  }
  if (Given(options, "--workers")) {
    if (options.workers < 1) return absl::InvalidArgumentError("--workers must be at least 1");
    config.workers = options.workers;
  }
  if (Given(options, "--notify")) config.notify_url = options.notify;
  if (Given(options, "--notify-cmd")) config.notify_cmd = options.notify_cmd;
  if (!options.resume) return absl::OkStatus();
  // A resumed run keeps its models, but where they are served may have
  // moved (a local server on a new port, a new key variable).
  for (mutators::ModelConfig& model : config.llm.models) {
    CAMBRIAN_RETURN_IF_ERROR(ApplyModelFlags(options, model));
  }
  if (Given(options, "--llm-concurrency")) config.llm_concurrency = options.llm_concurrency;
  if (Given(options, "--llm-embeddings")) config.llm.embeddings.base_url = options.llm_embeddings;
  if (Given(options, "--max-cost")) config.llm.max_cost_usd = options.max_cost;
  if (Given(options, "--max-tokens")) config.llm.max_tokens = options.max_tokens;
  return absl::OkStatus();
}

namespace {

// --llm replay re-runs a recorded run: its seed, weights, edit mix and
// prompts make the same prompts (and so find the recorded replies), unless
// a flag says otherwise.
absl::Status AdoptRecordedSettings(const RunOptions& options, RunConfig& config) {
  auto source = archive::SqliteArchive::Open(PathsFor(config.llm.replay_from).db,
                                             archive::OpenMode::kReadOnly);
  if (!source.ok()) return Annotate(source.status(), "--replay-from");
  CAMBRIAN_ASSIGN_OR_RETURN(archive::RunInfo info, (*source)->GetRunInfo());
  absl::StatusOr<RunConfig> recorded = RunConfigFromJson(info.config_json);
  if (!recorded.ok()) return Annotate(recorded.status(), "--replay-from");
  if (!Given(options, "--seed")) config.seed = recorded->seed;
  if (options.weights.empty()) config.mutator_weights = recorded->mutator_weights;
  config.crossover_rate = recorded->crossover_rate;
  config.repair_rate = recorded->repair_rate;
  if (!Given(options, "--llm-concurrency")) config.llm_concurrency = recorded->llm_concurrency;
  if (!Given(options, "--llm-share")) config.llm_share = recorded->llm_share;
  config.llm.diff_weight = recorded->llm.diff_weight;
  config.llm.rewrite_weight = recorded->llm.rewrite_weight;
  if (options.prompts.empty() && !recorded->llm.prompts_dir.empty()) {
    config.llm.prompts_dir = recorded->llm.prompts_dir;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RunConfig> MakeRunConfig(const RunOptions& options, const Task& task,
                                        absl::Time now) {
  RunConfig config;
  config.task_dir = task.dir;
  config.profile = task.profile;  // the one LoadTask applied
  if (!options.config_file.empty()) {
    CAMBRIAN_RETURN_IF_ERROR(LoadRunConfigFile(options.config_file, config));
  }
  CAMBRIAN_RETURN_IF_ERROR(ApplyBudgetFlags(options, config));
  if (Given(options, "--seed")) config.seed = options.seed;
  if (options.keep_jobs) config.keep_job_dirs = true;
  if (options.seed_may_fail) config.seed_may_fail = true;
  if (!options.strategy.empty()) config.strategy = options.strategy;
  if (config.strategy != "evolve" && config.strategy != "random") {
    return absl::InvalidArgumentError(
        absl::StrCat("strategy must be 'evolve' or 'random', not '", config.strategy, "'"));
  }
  if (!options.sandbox.empty()) config.sandbox = options.sandbox;
  if (absl::StatusOr<sandbox::SandboxMode> mode = sandbox::ParseSandboxMode(config.sandbox);
      !mode.ok()) {
    return Annotate(mode.status(), "--sandbox");
  }
  CAMBRIAN_RETURN_IF_ERROR(ApplySlurmFlags(options, config));
  if (Given(options, "--islands")) config.population.islands = options.islands;
  absl::Status population = CheckPopulationConfig(config.population);
  if (!population.ok()) return Annotate(population, "search settings");
  if (config.workers < 1) return absl::InvalidArgumentError("--workers must be at least 1");
  if (!config.max_evaluations && !config.max_wall_time) config.max_evaluations = 100;
  config.run_dir = options.run_dir.empty() ? DefaultRunDir(task, now) : fs::path(options.run_dir);
  CAMBRIAN_RETURN_IF_ERROR(ApplyLlmFlags(options, config));
  if (config.llm.replay) CAMBRIAN_RETURN_IF_ERROR(AdoptRecordedSettings(options, config));
  CAMBRIAN_RETURN_IF_ERROR(ApplyWeights(options, config));
  return config;
}

}  // namespace cambrian::orchestrator
