#include "sandbox/sandbox_factory.h"

#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <system_error>

#include "absl/strings/str_cat.h"
#include "sandbox/environment.h"
#include "sandbox/process_sandbox.h"

namespace cambrian::sandbox {
namespace {

namespace fs = std::filesystem;

BwrapOptions BwrapOptionsOf(const SandboxOptions& options) {
  BwrapOptions bwrap = options.bwrap;
  bwrap.process.state_dir = options.state_dir;
  bwrap.process.use_cgroups = options.use_cgroups;
  return bwrap;
}

bool Executable(const fs::path& path) { return access(path.c_str(), X_OK) == 0; }

// Runs /bin/true under bwrap; OK or why not, with the fix in `fix`.
absl::Status ProbeBwrap(const BwrapOptions& options, std::string* fix) {
  if (!Executable(options.bwrap)) {
    *fix =
        "install bubblewrap (Debian/Ubuntu: apt install bubblewrap; Fedora: dnf install "
        "bubblewrap)";
    return absl::NotFoundError(absl::StrCat(options.bwrap.string(), " not found"));
  }
  if (geteuid() == 0 && !Executable(options.setpriv)) {
    *fix = "install util-linux's setpriv (apt install util-linux)";
    return absl::NotFoundError(absl::StrCat(options.setpriv.string(), " not found"));
  }
  std::string pattern = (fs::temp_directory_path() / "cambrian-probe-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return absl::ErrnoToStatus(errno, "mkdtemp");
  BwrapOptions probe_options = options;
  probe_options.process.state_dir.clear();
  BwrapSandbox sandbox(probe_options);
  JobSpec spec;
  spec.argv = {"/bin/true"};
  spec.work_dir = pattern;
  spec.env = JobEnvironment({});
  spec.limits.wall_timeout = absl::Seconds(20);
  absl::StatusOr<JobResult> result = sandbox.Run(spec);
  std::error_code ec;
  fs::remove_all(pattern, ec);
  if (!result.ok()) return result.status();
  if (result->outcome == Outcome::kOk) return absl::OkStatus();
  *fix = geteuid() == 0 ? "check that the kernel allows mount and PID namespaces (containers: "
                          "run with --privileged or CAP_SYS_ADMIN)"
                        : "enable unprivileged user namespaces (sysctl "
                          "kernel.unprivileged_userns_clone=1, and on Ubuntu 24.04+ "
                          "kernel.apparmor_restrict_unprivileged_userns=0), or run as root";
  return absl::FailedPreconditionError(
      absl::StrCat("bubblewrap cannot start a job: ", result->detail, ": ", result->output_tail));
}

}  // namespace

absl::StatusOr<SandboxMode> ParseSandboxMode(std::string_view name) {
  if (name == "auto") return SandboxMode::kAuto;
  if (name == "bwrap") return SandboxMode::kBwrap;
  if (name == "process") return SandboxMode::kProcess;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown sandbox '", std::string(name), "' (expected auto, bwrap or process)"));
}

std::string_view SandboxModeName(SandboxMode mode) {
  switch (mode) {
    case SandboxMode::kAuto:
      return "auto";
    case SandboxMode::kBwrap:
      return "bwrap";
    case SandboxMode::kProcess:
      return "process";
  }
  return "unknown";
}

absl::StatusOr<SandboxChoice> MakeSandbox(const SandboxOptions& options) {
  SandboxChoice choice;
  const BwrapOptions bwrap = BwrapOptionsOf(options);
  if (options.mode != SandboxMode::kProcess) {
    std::string fix;
    absl::Status probe = ProbeBwrap(bwrap, &fix);
    if (probe.ok()) {
      auto sandbox = std::make_unique<BwrapSandbox>(bwrap);
      choice.cgroups = sandbox->process().cgroups().summary;
      choice.sandbox = std::move(sandbox);
      choice.mode = SandboxMode::kBwrap;
      return choice;
    }
    if (options.mode == SandboxMode::kBwrap) {
      return absl::FailedPreconditionError(
          absl::StrCat("sandbox bwrap unavailable: ", probe.message(), "; to fix: ", fix));
    }
    choice.warning = absl::StrCat(kProcessModeWarning, " (bwrap: ", probe.message(), ")");
  } else {
    choice.warning = kProcessModeWarning;
  }
  auto sandbox = std::make_unique<ProcessSandbox>(bwrap.process);
  choice.cgroups = sandbox->cgroups().summary;
  choice.sandbox = std::move(sandbox);
  choice.mode = SandboxMode::kProcess;
  return choice;
}

// The kernel's Landlock ABI version (landlock_create_ruleset with
// LANDLOCK_CREATE_RULESET_VERSION), 0 without Landlock.
int LandlockAbi() {
#ifdef SYS_landlock_create_ruleset
  const long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, 1U);
  return abi > 0 ? static_cast<int>(abi) : 0;
#else
  return 0;
#endif
}

SandboxDiagnosis DiagnoseSandbox(const SandboxOptions& options) {
  SandboxDiagnosis diagnosis;
  diagnosis.as_root = geteuid() == 0;
  BwrapOptions bwrap = BwrapOptionsOf(options);
  bwrap.process.state_dir.clear();
  ModeDiagnosis bwrap_mode{SandboxMode::kBwrap, false, "", ""};
  absl::Status probe = ProbeBwrap(bwrap, &bwrap_mode.fix);
  bwrap_mode.works = probe.ok();
  bwrap_mode.detail =
      probe.ok()
          ? (diagnosis.as_root
                 ? "works; jobs run as uid " + std::to_string(bwrap.sandbox_uid) + " via setpriv"
                 : "works; jobs run in an unprivileged user namespace")
          : std::string(probe.message());
  diagnosis.modes.push_back(bwrap_mode);
  ProcessSandbox process(bwrap.process);
  diagnosis.cgroups = process.cgroups().summary;
  diagnosis.cgroup_memory = process.cgroups().memory();
  diagnosis.cgroup_pids = process.cgroups().pids();
  diagnosis.cgroup_cpu = process.cgroups().cpu_accounting();
  diagnosis.landlock_abi = LandlockAbi();
  ModeDiagnosis process_mode{SandboxMode::kProcess, true,
                             "works; no filesystem, network or uid isolation", ""};
  if (!process.cgroups().usable()) {
    process_mode.detail +=
        "; no cgroups, so memory is capped per process (RLIMIT_AS), there is no "
        "process-count cap, and setsid'ed job processes can escape the kill";
    process_mode.fix =
        "run as root or delegate a cgroup v2 subtree (systemd-run --user --scope -p "
        "Delegate=yes cambrian ...)";
  }
  diagnosis.modes.push_back(process_mode);
  absl::StatusOr<std::vector<GpuInfo>> gpus = DetectGpus();
  if (!gpus.ok()) {
    diagnosis.gpu_detail = std::string(gpus.status().message());
  } else {
    diagnosis.gpus = *gpus;
    diagnosis.gpu_detail = gpus->empty() ? "no nvidia-smi on PATH: no GPUs" : "nvidia-smi -L";
  }
  return diagnosis;
}

}  // namespace cambrian::sandbox
