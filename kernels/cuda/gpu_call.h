// One call's buffers on the GPU, owned by the judge: every input freshly
// drawn from the judge's secret generator, every output poisoned, each
// tensor between two guard zones; after the call, the inputs re-compared
// with the judge's host copies and the guards checked. The candidate's
// kernel receives the device pointers in declaration order, then the int
// scalars, and nothing else.
#ifndef CAMBRIAN_KERNELS_CUDA_GPU_CALL_H_
#define CAMBRIAN_KERNELS_CUDA_GPU_CALL_H_

#include <cuda.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "entropy.h"
#include "gpu.h"
#include "tolerance.h"

namespace cambrian::kernels::gpu {

struct TensorSpec {
  std::string name;
  DType dtype = DType::kF32;
  size_t count = 0;
  bool output = false;
  float lo = -1, hi = 1;  // inputs: uniform in [lo, hi), then rounded to dtype
};

class GpuCall {
 public:
  inline static constexpr size_t kGuardBytes = 64 << 10;

  GpuCall(std::vector<TensorSpec> tensors, std::vector<int> scalars, uint32_t guard_word);
  GpuCall(const GpuCall&) = delete;
  GpuCall& operator=(const GpuCall&) = delete;
  GpuCall(GpuCall&&) = default;
  GpuCall& operator=(GpuCall&&) = default;

  const std::vector<TensorSpec>& tensors() const { return specs_; }
  const std::vector<int>& scalars() const { return scalars_; }
  // The device pointer of tensor `index` (its first element).
  CUdeviceptr device(size_t index) const { return pointers_[index]; }
  // cuLaunchKernel's kernelParams: the tensors' pointers, then the scalars.
  // Valid as long as this call lives (a move keeps them: they point into
  // the vectors' heap storage).
  void** args() { return args_.data(); }
  // The size in bytes of each of args(): what the kernel's parameters must be.
  std::vector<size_t> ArgSizes() const;

  // Fresh inputs from `rng` (uploaded), poisoned outputs, refilled guards.
  void NewInputs(FastRng& rng, CUstream stream);
  // Poisons the outputs again (before the reference overwrites them).
  void PoisonOutputs(CUstream stream);
  // After the call has finished: "" when every input reads back exactly as
  // uploaded and every guard is intact, else what changed.
  std::string CheckInputsAndGuards() const;
  // The outputs as floats, in declaration order (outputs only).
  std::vector<std::vector<float>> Outputs() const;
  // The inputs as uploaded, as floats (after rounding to their type).
  const std::vector<std::vector<float>>& InputValues() const { return input_values_; }

 private:
  size_t PayloadBytes(size_t index) const;

  std::vector<TensorSpec> specs_;
  std::vector<int> scalars_;
  uint32_t guard_word_;
  std::vector<DeviceMemory> memory_;              // guard + payload + guard, per tensor
  std::vector<CUdeviceptr> pointers_;             // payload start, per tensor
  std::vector<void*> args_;                       // into pointers_ and scalars_
  std::vector<std::vector<std::byte>> uploaded_;  // raw input bytes, per tensor (empty for outputs)
  std::vector<std::vector<float>> input_values_;  // inputs only, in order
};

}  // namespace cambrian::kernels::gpu

#endif  // CAMBRIAN_KERNELS_CUDA_GPU_CALL_H_
