// `cambrian doctor`: which sandbox modes work on this machine, why not, and
// what to install; cgroups and GPUs as the sandbox sees them.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "orchestrator/commands/commands.h"
#include "orchestrator/review.h"
#include "sandbox/sandbox_factory.h"

namespace cambrian::orchestrator {
namespace {

// nvcc as the CUDA tasks' build scripts find it (kernels/cuda/cuda_env.sh):
// on PATH, else in $CUDA_HOME/bin or /usr/local/cuda/bin.
std::optional<std::filesystem::path> FindNvcc() {
  std::vector<std::filesystem::path> candidates;
  if (const char* path = std::getenv("PATH")) {
    for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
      candidates.push_back(std::filesystem::path(std::string(dir)) / "nvcc");
    }
  }
  const char* home = std::getenv("CUDA_HOME");
  candidates.push_back(std::filesystem::path(home != nullptr ? home : "/usr/local/cuda") / "bin" /
                       "nvcc");
  for (const std::filesystem::path& candidate : candidates) {
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

// What a CUDA kernel task (docs/kernels.md) needs: nvcc to build, a GPU to run.
void PrintCuda(const sandbox::SandboxDiagnosis& diagnosis) {
  const std::optional<std::filesystem::path> nvcc = FindNvcc();
  std::cout << "CUDA kernel tasks (docs/kernels.md):\n"
            << "  build: "
            << (nvcc
                    ? "ok, " + nvcc->string()
                    : std::string("NO: nvcc not found (PATH, $CUDA_HOME/bin, /usr/local/cuda/bin); "
                                  "install the CUDA Toolkit"))
            << "\n  run:   "
            << (diagnosis.gpus.empty()
                    ? "NO: no GPU (" + diagnosis.gpu_detail +
                          "); they refuse to start here, and `cambrian eval TASK --until build` "
                          "still checks that a program compiles"
                    : std::string("ok"))
            << "\n";
}

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
          {"gpu_detail", diagnosis.gpu_detail},
          {"nvcc", FindNvcc() ? nlohmann::json(FindNvcc()->string()) : nlohmann::json(nullptr)}};
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
  PrintCuda(diagnosis);
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
