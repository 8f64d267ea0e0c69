// A task as loaded from task.toml (see docs/tasks.md). Plain data: the loader
// (evaluator/task_loader.h) validates it, everyone else reads it.
#ifndef CAMBRIAN_COMMON_TASK_H_
#define CAMBRIAN_COMMON_TASK_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace cambrian {

enum class Goal { kMaximize, kMinimize };

struct StageSpec {
  std::string name;
  std::string run;  // a shell command, run with /bin/sh -c in the job directory
  absl::Duration timeout = absl::Seconds(60);
  std::string pass_if;  // expression over metrics so far; empty = exit status only
  // The trusted side of a judged stage (kernels/PROTOCOL.md): a shell command
  // run in a sandbox of its own while `run` (the candidate's worker) runs in
  // the candidate's; only the judge's report counts. Empty: not judged.
  std::string judge;
  // A judge-only stage's judge kept running between evaluations, one
  // process per concurrent evaluation, answering one request at a time
  // (evaluator/warm_judge.h).
  bool warm = false;

  bool judged() const { return !judge.empty(); }
};

struct FeatureSpec {
  std::string name;  // a metric name or a built-in ("code_lines")
  int bins = 8;
  double lo = 0;
  double hi = 1;
};

// How far apart two values of a score must be before one is better: within
// `absolute + relative * max(|a|, |b|)` they are a tie. Zero: exact.
struct Noise {
  double absolute = 0;
  double relative = 0;  // a fraction: 0.05 for "5%"

  bool zero() const { return absolute == 0 && relative == 0; }
};

// One of a multi-objective task's [[objectives]] (docs/tasks.md).
struct ObjectiveSpec {
  std::string name;        // a metric-like name, shown in review
  std::string expression;  // over the metrics; default: the objective's name
  Goal goal = Goal::kMaximize;
  Noise noise;
  std::optional<double> tolerance;  // relative, for replay; default [fitness] tolerance
  // The values possible at all: outside them the candidate is implausible.
  std::optional<double> lo, hi;
};

struct ResourceSpec {
  int cpus = 1;
  int64_t memory_bytes = int64_t{4} << 30;  // address-space cap per job
  int gpus = 0;
  int64_t output_bytes = int64_t{8} << 20;  // stdout+stderr cap per stage
  int64_t file_bytes = int64_t{1} << 30;    // largest file a job may write
  int inodes = 100000;                      // entries a job's directories may hold
};

struct Task {
  std::filesystem::path dir;  // absolute directory holding task.toml
  std::string name;
  std::string description;
  std::string instructions;            // contents of the instructions file, if any
  std::filesystem::path program_root;  // absolute
  std::vector<std::string> editable;   // globs relative to program_root
  std::filesystem::path trusted_root;  // absolute; empty if the task has none
  // [trusted] setup: a trusted shell command run once per session, before
  // any job, in a fresh directory that judges then read ($CAMBRIAN_SETUP_DIR).
  std::string setup;
  absl::Duration setup_timeout = absl::Minutes(10);
  // [trusted] hidden: host paths masked in every job that runs candidate
  // code, as declared (absolute globs) and as they matched when loaded.
  std::vector<std::string> hidden_patterns;
  std::vector<std::filesystem::path> hidden_paths;
  std::vector<StageSpec> stages;
  std::string fitness_score;  // expression over metrics
  Goal goal = Goal::kMaximize;
  // Several objectives with a Pareto front ([[objectives]]; empty: the single
  // fitness above). The first is the headline: the loader copies its
  // expression, goal and noise into fitness_score, goal and noise, so
  // everything that ranks one number ranks by it.
  std::vector<ObjectiveSpec> objectives;
  // [fitness] program: a trusted command run after the last stage with every
  // stage's metrics ($CAMBRIAN_METRICS); the metrics it reports join the
  // candidate's before the score and objectives are computed. Empty: none.
  std::string fitness_program;
  absl::Duration fitness_program_timeout = absl::Seconds(60);
  // Plausibility: a fitness outside [plausible_lo, plausible_hi], or metrics
  // for which plausible_if is 0, are impossible on any machine the task runs
  // on: outcome kImplausible, never ranked.
  std::optional<double> plausible_lo, plausible_hi;
  std::string plausible_if;
  double tolerance = 0.1;  // relative; replay agrees if within it
  // The stated standard deviation of one evaluation's fitness (in fitness
  // units, or relative): differences within it are ties, not progress.
  Noise noise;
  int confirm = 3;        // how many top candidates to re-run at the end of a run
  int confirm_seeds = 2;  // on how many more seeds each is re-run
  std::vector<FeatureSpec> features;
  ResourceSpec resources;
  // The profile the task was loaded with ([profiles.NAME]; empty if the task
  // declares none). Its timeouts are already applied to `stages`; its
  // variables are added to every stage's environment, after the harness's own
  // (a profile cannot override CAMBRIAN_*, PATH, HOME and the like: the
  // loader rejects those names).
  std::string profile;
  std::vector<std::string> profiles;  // every declared profile, sorted
  std::map<std::string, std::string> stage_env;
};

// True if any stage is judged: then only judges' reports decide a score.
inline bool HasJudge(const Task& task) {
  for (const StageSpec& stage : task.stages) {
    if (stage.judged()) return true;
  }
  return false;
}

// True if `a` and `b` are within `noise` of each other.
inline bool WithinNoise(const Noise& noise, double a, double b) {
  if (a == b) return true;  // infinities included
  const double scale = std::max(std::abs(a), std::abs(b));
  return std::abs(a - b) <= noise.absolute + noise.relative * scale;
}

// True if `a` is better than `b` under `goal` by more than `noise`.
inline bool BetterBeyondNoise(Goal goal, const Noise& noise, double a, double b) {
  return !WithinNoise(noise, a, b) && (goal == Goal::kMaximize ? a > b : a < b);
}

// True if the task has more than one objective (a Pareto front).
inline bool MultiObjective(const Task& task) { return task.objectives.size() > 1; }

// True if `a` is a better fitness than `b` under `goal`.
inline bool Better(Goal goal, double a, double b) {
  return goal == Goal::kMaximize ? a > b : a < b;
}

}  // namespace cambrian

#endif  // CAMBRIAN_COMMON_TASK_H_
