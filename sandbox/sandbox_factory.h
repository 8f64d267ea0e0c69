// Choosing a sandbox: `--sandbox auto|bwrap|process`, and the diagnosis that
// `cambrian doctor` prints.
#ifndef CAMBRIAN_SANDBOX_SANDBOX_FACTORY_H_
#define CAMBRIAN_SANDBOX_SANDBOX_FACTORY_H_

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "sandbox/bwrap_sandbox.h"
#include "sandbox/gpu.h"
#include "sandbox/sandbox.h"

namespace cambrian::sandbox {

enum class SandboxMode { kAuto, kBwrap, kProcess };

// "auto", "bwrap", "process"; anything else is kInvalidArgument.
[[nodiscard]] absl::StatusOr<SandboxMode> ParseSandboxMode(std::string_view name);
std::string_view SandboxModeName(SandboxMode mode);

struct SandboxOptions {
  SandboxMode mode = SandboxMode::kAuto;
  // Records of running jobs for ReapLeftoverJobs (job_registry.h); empty:
  // none. The orchestrator passes <run_dir>/.sandbox.
  std::filesystem::path state_dir;
  bool use_cgroups = true;
  BwrapOptions bwrap;  // its `process` member is filled from the two above
};

// The warning a run in process mode must show (progress line and `show`).
inline constexpr char kProcessModeWarning[] =
    "WARNING: sandbox 'process': candidates run without isolation (your files, network and "
    "the controller are reachable); see `cambrian doctor` to enable bubblewrap";

struct SandboxChoice {
  std::unique_ptr<Sandbox> sandbox;
  SandboxMode mode = SandboxMode::kProcess;  // the mode in use (never kAuto)
  // Empty for bwrap; kProcessModeWarning plus, for auto, why bwrap was not
  // usable.
  std::string warning;
  std::string cgroups;  // CgroupSupport::summary
};

// kBwrap: a BwrapSandbox after a probe job succeeds, else kFailedPrecondition
// with the reason and what to install. kProcess: a ProcessSandbox. kAuto:
// bwrap where the probe works, else process with a warning naming the reason.
// The probe runs /bin/true under bwrap in a temporary directory (~50 ms).
[[nodiscard]] absl::StatusOr<SandboxChoice> MakeSandbox(const SandboxOptions& options);

struct ModeDiagnosis {
  SandboxMode mode = SandboxMode::kProcess;
  bool works = false;
  std::string detail;  // what was found, or why it does not work
  std::string fix;     // what to install or change; empty if it works
};

struct SandboxDiagnosis {
  std::vector<ModeDiagnosis> modes;  // bwrap, then process
  std::string cgroups;               // CgroupSupport::summary
  bool cgroup_memory = false;
  bool cgroup_pids = false;
  // Judges: the worker's CPU meter (cgroup CPU accounting), and the Landlock
  // ABI version trusted worker loaders lock Python workers out of the
  // filesystem with (0: none; kernels/python/cambrian_kernels/lockdown.py).
  bool cgroup_cpu = false;
  int landlock_abi = 0;
  bool as_root = false;
  std::vector<GpuInfo> gpus;
  std::string gpu_detail;  // how the GPUs were found, or why none
};

// Probes everything MakeSandbox would, and the GPUs. Never fails.
SandboxDiagnosis DiagnoseSandbox(const SandboxOptions& options);

}  // namespace cambrian::sandbox

#endif  // CAMBRIAN_SANDBOX_SANDBOX_FACTORY_H_
