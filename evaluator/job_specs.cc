#include "evaluator/job_specs.h"

#include <algorithm>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "sandbox/environment.h"

namespace cambrian::evaluator {
namespace {

namespace fs = std::filesystem;

constexpr char kTmpDirName[] = ".cambrian-tmp";

// The caps every job of the task runs under.
void SetLimits(const Task& task, const TrustedPlaces& places, absl::Duration timeout,
               sandbox::JobSpec* spec) {
  spec->limits.wall_timeout = timeout;
  // A CPU-time cap as a backstop to the wall clock: a job may use its
  // declared cores for the whole timeout, and no more.
  spec->limits.cpu_time = timeout * std::max(1, task.resources.cpus) + absl::Seconds(1);
  // The whole tree's memory: a cgroup where the sandbox has one, else the
  // sandbox turns it into a per-process address-space limit.
  spec->limits.memory_bytes = task.resources.memory_bytes;
  spec->limits.file_size_bytes = task.resources.file_bytes;
  spec->limits.output_bytes = task.resources.output_bytes;
  spec->limits.max_processes = places.max_processes;
  spec->limits.disk_bytes =
      places.disk_bytes > 0 ? places.disk_bytes : 8 * task.resources.file_bytes;
  spec->limits.max_inodes = task.resources.inodes;
  // The declared cores are what the job's whole tree may use at once.
  spec->limits.cpus = std::max(1, task.resources.cpus);
}

// The protocol's variables shared by every job, then the task profile's
// (insert never replaces the protocol's own).
std::map<std::string, std::string> BaseEnvironment(const Task& task, const TrustedPlaces& places,
                                                   std::map<std::string, std::string> vars) {
  vars.emplace("CAMBRIAN_TRUSTED", task.trusted_root.string());
  if (!places.kernels_dir.empty()) vars.emplace("CAMBRIAN_KERNELS", places.kernels_dir.string());
  std::map<std::string, std::string> env = sandbox::JobEnvironment(vars);
  env.insert(task.stage_env.begin(), task.stage_env.end());
  return env;
}

void AddReadable(const fs::path& path, sandbox::JobSpec* spec) {
  if (!path.empty()) spec->read_only_paths.push_back(path);
}

}  // namespace

absl::Status FreshDir(const fs::path& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (!ec) fs::create_directories(dir, ec);
  if (ec)
    return absl::InternalError(absl::StrCat("cannot create ", dir.string(), ": ", ec.message()));
  return absl::OkStatus();
}

sandbox::JobSpec CandidateJob(const Task& task, const TrustedPlaces& places, const StageSpec& stage,
                              uint64_t seed, const std::string& job_name, const JobPaths& paths,
                              const fs::path& out_dir, const std::atomic<bool>* cancel) {
  sandbox::JobSpec spec;
  spec.argv = {"/bin/sh", "-c", stage.run};
  spec.work_dir = paths.job_dir;
  std::map<std::string, std::string> vars = {
      {"CAMBRIAN_SEED", absl::StrCat(seed)}, {"CAMBRIAN_STAGE", stage.name},
      {"CAMBRIAN_CANDIDATE", job_name},      {"CAMBRIAN_JOB_DIR", paths.job_dir.string()},
      {"HOME", paths.job_dir.string()},      {"TMPDIR", (paths.job_dir / kTmpDirName).string()},
  };
  if (!out_dir.empty()) vars["CAMBRIAN_OUT"] = out_dir.string();
  spec.env = BaseEnvironment(task, places, std::move(vars));
  SetLimits(task, places, stage.timeout, &spec);
  spec.cancel = cancel;
  if (!out_dir.empty()) spec.writable_paths = {out_dir};
  AddReadable(task.trusted_root, &spec);
  AddReadable(places.kernels_dir, &spec);
  spec.hidden_paths = task.hidden_paths;
  return spec;
}

sandbox::JobSpec JudgeJob(const Task& task, const TrustedPlaces& places, const StageSpec& stage,
                          uint64_t seed, const std::string& job_name, const JobPaths& paths,
                          const fs::path& out_dir, const fs::path& scratch_dir,
                          const std::atomic<bool>* cancel) {
  sandbox::JobSpec spec;
  spec.argv = {"/bin/sh", "-c", stage.judge};
  spec.work_dir = scratch_dir;
  std::map<std::string, std::string> vars = {
      {"CAMBRIAN_OUT", out_dir.string()},
      {"CAMBRIAN_SEED", absl::StrCat(seed)},
      {"CAMBRIAN_STAGE", stage.name},
      {"CAMBRIAN_CANDIDATE", job_name},
      {"CAMBRIAN_JOB_DIR", paths.job_dir.string()},
      {"HOME", scratch_dir.string()},
      {"TMPDIR", scratch_dir.string()},
  };
  // Only a task with a setup has its output to read.
  const bool has_setup = !task.setup.empty() && !places.setup_dir.empty();
  if (has_setup) vars["CAMBRIAN_SETUP_DIR"] = places.setup_dir.string();
  spec.env = BaseEnvironment(task, places, std::move(vars));
  SetLimits(task, places, stage.timeout, &spec);
  spec.cancel = cancel;
  spec.writable_paths = {out_dir};
  AddReadable(task.trusted_root, &spec);
  AddReadable(places.kernels_dir, &spec);
  if (has_setup) AddReadable(places.setup_dir, &spec);
  AddReadable(paths.job_dir, &spec);
  return spec;
}

sandbox::JobSpec SetupJob(const Task& task, const TrustedPlaces& places) {
  sandbox::JobSpec spec;
  spec.argv = {"/bin/sh", "-c", task.setup};
  spec.work_dir = places.setup_dir;
  spec.env = BaseEnvironment(task, places,
                             {
                                 {"CAMBRIAN_SETUP_DIR", places.setup_dir.string()},
                                 {"HOME", places.setup_dir.string()},
                                 {"TMPDIR", places.setup_dir.string()},
                             });
  SetLimits(task, places, task.setup_timeout, &spec);
  AddReadable(task.trusted_root, &spec);
  AddReadable(places.kernels_dir, &spec);
  return spec;
}

sandbox::JobSpec WarmJudgeJob(const Task& task, const TrustedPlaces& places, const StageSpec& stage,
                              const fs::path& jobs_root, const fs::path& scratch_dir) {
  sandbox::JobSpec spec;
  spec.argv = {"/bin/sh", "-c", stage.judge};
  spec.work_dir = scratch_dir;
  std::map<std::string, std::string> vars = {{"CAMBRIAN_WARM_FD", "3"},
                                             {"CAMBRIAN_STAGE", stage.name},
                                             {"HOME", scratch_dir.string()},
                                             {"TMPDIR", scratch_dir.string()}};
  const bool has_setup = !task.setup.empty() && !places.setup_dir.empty();
  if (has_setup) vars["CAMBRIAN_SETUP_DIR"] = places.setup_dir.string();
  spec.env = BaseEnvironment(task, places, std::move(vars));
  // The process lives for the session; each answer has the stage's timeout.
  SetLimits(task, places, absl::Hours(24 * 30), &spec);
  AddReadable(task.trusted_root, &spec);
  AddReadable(places.kernels_dir, &spec);
  if (has_setup) AddReadable(places.setup_dir, &spec);
  AddReadable(jobs_root, &spec);
  return spec;
}

sandbox::JobSpec FitnessProgramJob(const Task& task, const TrustedPlaces& places,
                                   const std::string& job_name, uint64_t seed,
                                   const fs::path& scratch_dir, const fs::path& input,
                                   const fs::path& out_dir, const std::atomic<bool>* cancel) {
  sandbox::JobSpec spec;
  spec.argv = {"/bin/sh", "-c", task.fitness_program};
  spec.work_dir = scratch_dir;
  std::map<std::string, std::string> vars = {
      {"CAMBRIAN_OUT", out_dir.string()},    {"CAMBRIAN_METRICS", input.string()},
      {"CAMBRIAN_SEED", absl::StrCat(seed)}, {"CAMBRIAN_STAGE", "fitness"},
      {"CAMBRIAN_CANDIDATE", job_name},      {"HOME", scratch_dir.string()},
      {"TMPDIR", scratch_dir.string()},
  };
  const bool has_setup = !task.setup.empty() && !places.setup_dir.empty();
  if (has_setup) vars["CAMBRIAN_SETUP_DIR"] = places.setup_dir.string();
  spec.env = BaseEnvironment(task, places, std::move(vars));
  SetLimits(task, places, task.fitness_program_timeout, &spec);
  spec.cancel = cancel;
  spec.writable_paths = {out_dir};
  AddReadable(task.trusted_root, &spec);
  AddReadable(places.kernels_dir, &spec);
  if (has_setup) AddReadable(places.setup_dir, &spec);
  return spec;
}

}  // namespace cambrian::evaluator
