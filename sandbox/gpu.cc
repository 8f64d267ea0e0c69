#include "sandbox/gpu.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "sandbox/child_process.h"
#include "sandbox/environment.h"
#include "sandbox/process_sandbox.h"

namespace cambrian::sandbox {

std::vector<GpuInfo> ParseNvidiaSmiList(std::string_view output) {
  std::vector<GpuInfo> gpus;
  std::istringstream lines{std::string(output)};
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("GPU ", 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    GpuInfo gpu;
    try {
      gpu.index = std::stoi(line.substr(4, colon - 4));
    } catch (const std::exception&) {
      continue;
    }
    std::string rest = line.substr(colon + 1);
    const size_t uuid = rest.find(" (UUID: ");
    if (uuid != std::string::npos) {
      const size_t close = rest.find(')', uuid);
      gpu.uuid =
          rest.substr(uuid + 8, close == std::string::npos ? std::string::npos : close - uuid - 8);
      rest = rest.substr(0, uuid);
    }
    gpu.name =
        rest.substr(rest.find_first_not_of(' ') == std::string::npos ? rest.size()
                                                                     : rest.find_first_not_of(' '));
    gpus.push_back(std::move(gpu));
  }
  return gpus;
}

absl::StatusOr<std::vector<GpuInfo>> DetectGpus(const std::string& nvidia_smi) {
  // Through the harness's own process seam, not a shell: no quoting of the
  // path, a timeout (nvidia-smi hangs on a wedged driver) and the whole tree
  // reaped.
  JobSpec spec;
  spec.argv = {nvidia_smi, "-L"};
  spec.work_dir = "/";
  spec.env = JobEnvironment({});
  spec.limits.wall_timeout = absl::Seconds(30);
  spec.limits.output_tail_bytes = 64 << 10;
  ProcessSandbox runner(ProcessSandboxOptions{.use_cgroups = false});  // no caps to enforce
  CAMBRIAN_ASSIGN_OR_RETURN(const JobResult result, runner.Run(spec));
  if (result.exit_code == kExitNotFound) return std::vector<GpuInfo>{};  // none on PATH
  if (result.outcome != Outcome::kOk) {
    return absl::UnavailableError(
        absl::StrCat("gpu: nvidia-smi -L failed (", result.detail, "): ", result.output_tail));
  }
  return ParseNvidiaSmiList(result.output_tail);
}

GpuAllocator::Lease::Lease(Lease&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), gpus_(std::move(other.gpus_)) {}

GpuAllocator::Lease& GpuAllocator::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (owner_ != nullptr) owner_->Release(gpus_);
    owner_ = std::exchange(other.owner_, nullptr);
    gpus_ = std::move(other.gpus_);
  }
  return *this;
}

GpuAllocator::Lease::~Lease() {
  if (owner_ != nullptr) owner_->Release(gpus_);
}

GpuAllocator::GpuAllocator(std::vector<int> gpus, bool allow_sharing)
    : gpus_(std::move(gpus)), allow_sharing_(allow_sharing), users_(gpus_.size(), 0) {}

bool GpuAllocator::PickLocked(int count, std::vector<int>* picked) {
  std::vector<size_t> order(gpus_.size());
  std::iota(order.begin(), order.end(), 0);
  // Least used first; ties by index, so allocation is deterministic.
  std::stable_sort(order.begin(), order.end(),
                   [this](size_t a, size_t b) { return users_[a] < users_[b]; });
  picked->clear();
  for (size_t i : order) {
    if (static_cast<int>(picked->size()) == count) break;
    if (users_[i] == 0 || allow_sharing_) picked->push_back(static_cast<int>(i));
  }
  if (static_cast<int>(picked->size()) < count) return false;
  for (int& slot : *picked) {
    ++users_[static_cast<size_t>(slot)];
    slot = gpus_[static_cast<size_t>(slot)];
  }
  std::sort(picked->begin(), picked->end());
  return true;
}

absl::StatusOr<GpuAllocator::Lease> GpuAllocator::TryAcquire(int count) {
  if (count < 0 || count > total()) {
    return absl::InvalidArgumentError(
        absl::StrCat("gpu: a job asks for ", count, " GPUs; this machine has ", total()));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<int> picked;
  if (!PickLocked(count, &picked)) return absl::UnavailableError("gpu: not enough free GPUs");
  return Lease(this, std::move(picked));
}

absl::StatusOr<GpuAllocator::Lease> GpuAllocator::Acquire(int count,
                                                          const std::atomic<bool>* cancel) {
  if (count < 0 || count > total()) return TryAcquire(count);  // the same error
  std::unique_lock<std::mutex> lock(mutex_);
  std::vector<int> picked;
  while (!PickLocked(count, &picked)) {
    if (cancel != nullptr && cancel->load()) return absl::CancelledError("gpu: cancelled");
    freed_.wait_for(lock, std::chrono::milliseconds(100));
  }
  return Lease(this, std::move(picked));
}

void GpuAllocator::Release(const std::vector<int>& gpus) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int gpu : gpus) {
      auto it = std::find(gpus_.begin(), gpus_.end(), gpu);
      if (it != gpus_.end()) --users_[static_cast<size_t>(it - gpus_.begin())];
    }
  }
  freed_.notify_all();
}

}  // namespace cambrian::sandbox
