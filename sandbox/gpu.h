// GPU slots: which GPUs the machine has, and a thread-safe allocator that
// hands each job exactly its GPUs (JobSpec::gpus).
#ifndef CAMBRIAN_SANDBOX_GPU_H_
#define CAMBRIAN_SANDBOX_GPU_H_

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace cambrian::sandbox {

struct GpuInfo {
  int index = 0;     // nvidia-smi's index (also the /dev/nvidiaN minor on usual setups)
  std::string name;  // "NVIDIA H100 80GB HBM3"
  std::string uuid;  // "GPU-..."; empty if not reported
};

// Parses `nvidia-smi -L` output ("GPU 0: NAME (UUID: GPU-...)" per line);
// other lines (MIG devices, blank lines) are skipped.
std::vector<GpuInfo> ParseNvidiaSmiList(std::string_view output);

// Runs `nvidia_smi -L` (looked up on the harness's PATH). No nvidia-smi on
// PATH: an empty list, OK (a machine without GPUs). Errors: kUnavailable when
// nvidia-smi exists but fails (driver not loaded), with its output.
[[nodiscard]] absl::StatusOr<std::vector<GpuInfo>> DetectGpus(
    const std::string& nvidia_smi = "nvidia-smi");

// Hands out GPUs to jobs. Without sharing a GPU belongs to one lease at a
// time; with sharing (a task that allows it) each request gets the least
// used GPUs. Thread-safe. Leases must not outlive the allocator.
class GpuAllocator {
 public:
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    ~Lease();  // gives the GPUs back
    const std::vector<int>& gpus() const { return gpus_; }

   private:
    friend class GpuAllocator;
    Lease(GpuAllocator* owner, std::vector<int> gpus) : owner_(owner), gpus_(std::move(gpus)) {}
    GpuAllocator* owner_ = nullptr;
    std::vector<int> gpus_;
  };

  // `gpus`: the indices to hand out (e.g. from DetectGpus).
  GpuAllocator(std::vector<int> gpus, bool allow_sharing);

  int total() const { return static_cast<int>(gpus_.size()); }

  // Waits until `count` GPUs are free and takes them (count 0: an empty
  // lease at once). Errors: kInvalidArgument if count exceeds total();
  // kCancelled if *cancel turns true while waiting (polled every 100 ms).
  [[nodiscard]] absl::StatusOr<Lease> Acquire(int count, const std::atomic<bool>* cancel = nullptr);
  // As Acquire without waiting: kUnavailable when not enough are free.
  [[nodiscard]] absl::StatusOr<Lease> TryAcquire(int count);

 private:
  bool PickLocked(int count, std::vector<int>* picked);
  void Release(const std::vector<int>& gpus);

  const std::vector<int> gpus_;
  const bool allow_sharing_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<int> users_;  // parallel to gpus_: leases holding each
};

}  // namespace cambrian::sandbox

#endif  // CAMBRIAN_SANDBOX_GPU_H_
