// `cambrian doctor`: which sandbox modes work on this machine, why not, and
// what to install; cgroups and GPUs as the sandbox sees them.
#include <CLI/CLI.hpp>
#include <iostream>

#include "absl/strings/str_format.h"
#include "orchestrator/commands/commands.h"
#include "orchestrator/review.h"
#include "sandbox/sandbox_factory.h"

namespace cambrian::orchestrator {
namespace {

nlohmann::json DiagnosisJson(const sandbox::SandboxDiagnosis& diagnosis) {
  nlohmann::json modes = nlohmann::json::array();
  for (const sandbox::ModeDiagnosis& mode : diagnosis.modes) {
    modes.push_back({{"mode", std::string(sandbox::SandboxModeName(mode.mode))},
                     {"works", mode.works},
                     {"detail", mode.detail},
                     {"fix", mode.fix}});
  }
  nlohmann::json gpus = nlohmann::json::array();
  for (const sandbox::GpuInfo& gpu : diagnosis.gpus) {
    gpus.push_back({{"index", gpu.index}, {"name", gpu.name}, {"uuid", gpu.uuid}});
  }
  return {{"modes", modes},
          {"cgroups", diagnosis.cgroups},
          {"cgroup_memory", diagnosis.cgroup_memory},
          {"cgroup_pids", diagnosis.cgroup_pids},
          {"cgroup_cpu", diagnosis.cgroup_cpu},
          {"landlock_abi", diagnosis.landlock_abi},
          {"root", diagnosis.as_root},
          {"gpus", gpus},
          {"gpu_detail", diagnosis.gpu_detail}};
}

void PrintDiagnosis(const sandbox::SandboxDiagnosis& diagnosis) {
  std::cout << "Sandbox modes (cambrian run --sandbox MODE; auto picks the first that works):\n";
  for (const sandbox::ModeDiagnosis& mode : diagnosis.modes) {
    std::cout << absl::StrFormat("  %-8s %-4s %s\n", sandbox::SandboxModeName(mode.mode),
                                 mode.works ? "ok" : "NO", mode.detail);
    if (!mode.fix.empty()) std::cout << "           fix: " << mode.fix << "\n";
  }
  std::cout << "Caps: " << diagnosis.cgroups << "\n";
  if (!diagnosis.cgroup_memory) {
    std::cout << "  no memory cgroup: memory is capped per process (address space)\n";
  }
  if (!diagnosis.cgroup_pids)
    std::cout << "  no pids cgroup: a fork bomb is stopped only by time\n";
  std::cout
      << "Judges (docs/trust.md):\n"
      << (diagnosis.cgroup_cpu
              ? "  worker CPU meter: yes (threads, children and work after a call are charged)\n"
              : "  worker CPU meter: NO (no cgroup CPU accounting): judges charge wall time "
                "only, so extra threads pay off; run as root or delegate a cgroup\n");
  if (diagnosis.landlock_abi > 0) {
    std::cout << "  Landlock: ABI " << diagnosis.landlock_abi
              << " (Python workers are locked out of the filesystem before candidate code runs)\n";
  } else {
    std::cout << "  Landlock: NO: Python workers (hybrid-lm) run without the filesystem lockdown "
                 "and can read text on disk as extra training data (fs_locked = 0)\n";
  }
  std::cout << "GPUs: " << diagnosis.gpus.size() << " (" << diagnosis.gpu_detail << ")\n";
  for (const sandbox::GpuInfo& gpu : diagnosis.gpus) {
    std::cout << absl::StrFormat("  %d  %s  %s\n", gpu.index, gpu.name, gpu.uuid);
  }
  if (diagnosis.modes.empty() || !diagnosis.modes.front().works) {
    std::cout << "\n" << sandbox::kProcessModeWarning << "\n";
  }
}

}  // namespace

Command DoctorCommand() {
  return {"doctor", "Check which sandbox modes, caps and GPUs work here", [](CLI::App& app) {
            auto json = std::make_shared<bool>(false);
            app.add_flag("--json", *json, "Machine-readable output");
            return [json] {
              sandbox::SandboxDiagnosis diagnosis = sandbox::DiagnoseSandbox({});
              if (*json) {
                std::cout << DumpJson(DiagnosisJson(diagnosis)) << "\n";
              } else {
                PrintDiagnosis(diagnosis);
              }
              return CommandResult{absl::OkStatus()};
            };
          }};
}

}  // namespace cambrian::orchestrator
