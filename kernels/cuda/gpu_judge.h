// The judge program of a CUDA kernel task, shared by every such task: the
// task describes its problem sizes, its candidate's kernel name and its
// trusted reference, and GpuJudgeMain does the rest (docs/kernels.md):
//
//   judge check  MODULE   every check size once: correct, kernel facts
//   judge time   MODULE   warm-up, then timed calls interleaved with the
//                         reference, every one verified: speedup, rates
//   judge selftest        the reference against the host computation
//   judge facts           the device's facts and peaks, as JSON
//
// Per call: fresh secret inputs, poisoned outputs, guard zones, an L2 flush,
// the candidate's launch between two events, a device-wide synchronisation,
// its inputs and guards re-checked and its outputs copied out; then the
// outputs poisoned again, a flush and the reference's launch timed the same
// way, and the two outputs compared with the dtype's tolerance. The
// reference's output never exists on the device while the candidate runs.
#ifndef CAMBRIAN_KERNELS_CUDA_GPU_JUDGE_H_
#define CAMBRIAN_KERNELS_CUDA_GPU_JUDGE_H_

#include <array>
#include <functional>
#include <string>
#include <vector>

#include "gpu_call.h"

namespace cambrian::kernels::gpu {

struct GpuProblem {
  std::string label;  // for feedback, e.g. "M=509 N=383 K=257"
  std::vector<TensorSpec> tensors;
  std::vector<int> scalars;
  std::array<int64_t, 3> extents = {1, 1, 1};  // elements per grid axis
  double work = 0;                             // per call: flops (kFlops) or bytes moved (kBytes)
};

enum class WorkUnit { kFlops, kBytes };

struct GpuTask {
  std::string kernel;  // the candidate's extern "C" __global__ function
  WorkUnit unit = WorkUnit::kFlops;
  std::vector<GpuProblem> check;
  GpuProblem bench;
  int warmup = 3;
  int trials = 20;
  // Launches the trusted reference on the call's buffers and scalars.
  std::function<void(GpuCall&, CUstream)> reference;
  // The reference's outputs computed on the host (in double where it
  // matters) from call.InputValues(), for `judge selftest`.
  std::function<std::vector<std::vector<float>>(const GpuCall&)> host_reference;
};

// Runs the mode in argv[1]; writes $CAMBRIAN_OUT/metrics.json for check and
// time. Ends the process (with _exit, after flushing stdio, so no static
// destructor of cuBLAS or the runtime runs): status 0 when a report was
// written (whatever the candidate did), 1 when selftest fails, 2 for the
// judge's own failures (no GPU, a broken reference, bad arguments), 3 when
// the report cannot be written.
int GpuJudgeMain(int argc, char** argv, const GpuTask& task);

}  // namespace cambrian::kernels::gpu

#endif  // CAMBRIAN_KERNELS_CUDA_GPU_JUDGE_H_
