// Where a run's evaluations happen (evaluator/executor.h): this machine's
// sandbox, with a GPU slot per job where the task needs GPUs, or a Slurm
// cluster (config.executor "slurm", docs/slurm.md).
#ifndef CAMBRIAN_ORCHESTRATOR_COMMANDS_RUN_EXECUTOR_H_
#define CAMBRIAN_ORCHESTRATOR_COMMANDS_RUN_EXECUTOR_H_

#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "archive/archive.h"
#include "common/task.h"
#include "evaluator/evaluator.h"
#include "evaluator/fitness.h"
#include "evaluator/slurm_executor.h"
#include "evaluator/worker_executor.h"
#include "orchestrator/run_config.h"
#include "orchestrator/run_dir.h"
#include "sandbox/gpu.h"
#include "sandbox/sandbox_factory.h"

namespace cambrian::orchestrator {

struct RunExecutor {
  // Local: the sandbox, the GPU slots (none without GPUs), the evaluator.
  std::optional<sandbox::SandboxChoice> sandbox;
  std::unique_ptr<sandbox::GpuAllocator> gpus;
  std::unique_ptr<evaluator::FitnessFunction> fitness;
  std::unique_ptr<evaluator::Evaluator> local;
  // Slurm: its commands and the executor over them (a job per evaluation,
  // or a worker array).
  std::unique_ptr<evaluator::SlurmClient> slurm_client;
  std::unique_ptr<evaluator::Executor> remote;

  const evaluator::Executor& executor() const { return remote ? *remote : *local; }
  // Jobs run with no isolation (the process sandbox, here or on the nodes).
  bool unisolated = false;
};

// The executor `config` asks for. Local: stops jobs an earlier, killed
// controller left, chooses the sandbox (an event in the archive), caps
// `config.workers` at the GPU slots, and runs the task's setup. Slurm:
// checks that Slurm answers (FailedPrecondition saying what to install or
// set otherwise); the nodes run the setup with each job.
[[nodiscard]] absl::StatusOr<std::unique_ptr<RunExecutor>> MakeRunExecutor(
    const Task& task, RunConfig& config, const RunPaths& paths, archive::Archive& archive);

// The machine's GPUs for a task that needs some: every job gets its own
// (resources.gpus each); slots beyond what the GPUs allow would only wait.
[[nodiscard]] absl::StatusOr<std::unique_ptr<sandbox::GpuAllocator>> MakeGpuSlots(
    const Task& task, RunConfig& config);

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_COMMANDS_RUN_EXECUTOR_H_
