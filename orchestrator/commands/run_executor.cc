#include "orchestrator/commands/run_executor.h"

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"
#include "orchestrator/evaluator_setup.h"
#include "sandbox/job_registry.h"

namespace cambrian::orchestrator {
namespace fs = std::filesystem;

namespace {

// Kills whatever jobs of an earlier, killed controller still run, then
// chooses the sandbox; the mode in use is an event (shown by `show`).
absl::StatusOr<sandbox::SandboxChoice> MakeRunSandbox(const RunConfig& config,
                                                      const RunPaths& paths,
                                                      archive::Archive& archive) {
  sandbox::SandboxOptions options;
  CAMBRIAN_ASSIGN_OR_RETURN(options.mode, sandbox::ParseSandboxMode(config.sandbox));
  options.state_dir = paths.dir / ".sandbox";
  CAMBRIAN_RETURN_IF_ERROR(Annotate(sandbox::ReapLeftoverJobs(options.state_dir),
                                    "stopping jobs of an earlier session"));
  absl::StatusOr<sandbox::SandboxChoice> choice = sandbox::MakeSandbox(options);
  if (!choice.ok()) return Annotate(choice.status(), absl::StrCat("--sandbox ", config.sandbox));
  if (!choice->warning.empty()) LogWarning(choice->warning);
  CAMBRIAN_RETURN_IF_ERROR(archive.AddEvent(
      "sandbox", nlohmann::json{{"mode", sandbox::SandboxModeName(choice->mode)},
                                {"warning", choice->warning},
                                {"cgroups", choice->cgroups}}
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  return choice;
}

absl::Status MakeLocal(const Task& task, RunConfig& config, const RunPaths& paths,
                       archive::Archive& archive, RunExecutor& out) {
  CAMBRIAN_ASSIGN_OR_RETURN(out.gpus, MakeGpuSlots(task, config));
  CAMBRIAN_ASSIGN_OR_RETURN(sandbox::SandboxChoice sandbox, MakeRunSandbox(config, paths, archive));
  out.sandbox.emplace(std::move(sandbox));
  out.unisolated = out.sandbox->mode == sandbox::SandboxMode::kProcess;
  CAMBRIAN_ASSIGN_OR_RETURN(out.fitness, evaluator::MakeExpressionFitness(task.fitness_score));
  CAMBRIAN_ASSIGN_OR_RETURN(out.local,
                            MakePreparedEvaluator(task, *out.sandbox->sandbox, *out.fitness,
                                                  {.jobs_root = paths.jobs,
                                                   .keep_job_dirs = config.keep_job_dirs,
                                                   .setup_dir = paths.setup}));
  return absl::OkStatus();
}

// The time a job's stages (and the task's setup, run with each job) may take.
absl::Duration WorkTime(const Task& task) {
  absl::Duration total = task.setup.empty() ? absl::ZeroDuration() : task.setup_timeout;
  for (const StageSpec& stage : task.stages) total += stage.timeout;
  return total;
}

absl::Status MakeSlurm(const Task& task, const RunConfig& config, const RunPaths& paths,
                       archive::Archive& archive, RunExecutor& out) {
  out.slurm_client = std::make_unique<evaluator::CliSlurmClient>();
  // One squeue up front: no Slurm here is a clear error, not a failed job.
  if (absl::StatusOr<std::vector<evaluator::SlurmJobState>> probe =
          out.slurm_client->Named("cambrian-");
      !probe.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--executor slurm needs Slurm's commands (sbatch, squeue, scancel) on PATH and a "
        "slurmctld they reach (SLURM_CONF): ",
        probe.status().message()));
  }
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return absl::InternalError("cannot find the cambrian binary (/proc/self/exe)");
  evaluator::SlurmOptions options;
  options.partition = config.slurm.partition;
  options.account = config.slurm.account;
  options.qos = config.slurm.qos;
  options.gres = config.slurm.gres;
  options.constraint = config.slurm.constraint;
  options.time_limit = config.slurm.time_limit;
  options.pending_limit = config.slurm.pending_limit;
  options.extra_args = config.slurm.extra_args;
  evaluator::SlurmJobPlan plan{.cambrian = self,
                               .task_dir = task.dir,
                               .profile = config.profile,
                               // On nodes, "auto" must not fall back to no isolation
                               // with a warning no one reads: bubblewrap or a failed job.
                               .sandbox = config.sandbox == "auto" ? "bwrap" : config.sandbox,
                               .jobs_root = paths.dir / "slurm",
                               .keep_job_dirs = config.keep_job_dirs,
                               .resources = task.resources,
                               .work_time = WorkTime(task)};
  out.unisolated = config.sandbox == "process";
  if (config.slurm.mode == "workers") {
    auto workers = std::make_unique<evaluator::WorkerExecutor>(
        *out.slurm_client, std::move(options), std::move(plan),
        evaluator::WorkerOptions{.workers = config.workers, .host = config.slurm.host});
    CAMBRIAN_RETURN_IF_ERROR(workers->Start());
    out.remote = std::move(workers);
  } else {
    out.remote = std::make_unique<evaluator::SlurmExecutor>(*out.slurm_client, std::move(options),
                                                            std::move(plan));
  }
  LogInfo(absl::StrCat("executor: Slurm ", config.slurm.mode, ", up to ", config.workers,
                       config.slurm.mode == "workers" ? " workers" : " jobs at once", "; files in ",
                       (paths.dir / "slurm").string()));
  return archive.AddEvent("executor", nlohmann::json{{"kind", "slurm"},
                                                     {"mode", config.slurm.mode},
                                                     {"jobs", config.workers},
                                                     {"partition", config.slurm.partition}}
                                          .dump());
}

}  // namespace

absl::StatusOr<std::unique_ptr<sandbox::GpuAllocator>> MakeGpuSlots(const Task& task,
                                                                    RunConfig& config) {
  if (task.resources.gpus == 0) return std::unique_ptr<sandbox::GpuAllocator>();
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<int> indices, MachineGpusFor(task));
  const int per_job = task.resources.gpus;
  const int slots = static_cast<int>(indices.size()) / per_job;
  if (config.workers > slots) {
    LogWarning(absl::StrCat(config.workers, " workers but GPUs for ", slots,
                            " jobs at once: running ", slots, " workers"));
    config.workers = slots;
  }
  LogInfo(absl::StrCat("GPU slots: ", indices.size(), " GPU(s), ", per_job, " per job"));
  return std::make_unique<sandbox::GpuAllocator>(indices, /*allow_sharing=*/false);
}

absl::StatusOr<std::unique_ptr<RunExecutor>> MakeRunExecutor(const Task& task, RunConfig& config,
                                                             const RunPaths& paths,
                                                             archive::Archive& archive) {
  auto out = std::make_unique<RunExecutor>();
  if (config.executor == "slurm") {
    CAMBRIAN_RETURN_IF_ERROR(MakeSlurm(task, config, paths, archive, *out));
  } else {
    CAMBRIAN_RETURN_IF_ERROR(MakeLocal(task, config, paths, archive, *out));
  }
  return out;
}

}  // namespace cambrian::orchestrator
