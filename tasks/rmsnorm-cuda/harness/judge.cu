// The rmsnorm-cuda task's judge (trusted; built by the task's setup): the
// candidate's `rmsnorm` kernel against a plain CUDA RMSNorm on the same
// buffers, on fresh secret inputs per call (kernels/cuda/gpu_judge.h does the
// calls).
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "gpu_judge.h"

namespace {

using cambrian::kernels::Bf16ToFloat;
using cambrian::kernels::DType;
using cambrian::kernels::FloatToBf16;
using cambrian::kernels::gpu::GpuCall;
using cambrian::kernels::gpu::GpuProblem;
using cambrian::kernels::gpu::GpuTask;
using cambrian::kernels::gpu::TensorSpec;
using cambrian::kernels::gpu::WorkUnit;

constexpr float kEps = 1e-6f;  // the contract's epsilon (program.md)
constexpr int kReferenceThreads = 256;
constexpr int kReferenceWarps = kReferenceThreads / 32;

GpuProblem Problem(int rows, int dim) {
  GpuProblem p;
  p.label = "rows=" + std::to_string(rows) + " dim=" + std::to_string(dim);
  const size_t n = static_cast<size_t>(rows) * dim, d = dim;
  p.tensors = {TensorSpec{"x", DType::kBF16, n, false, -2.0f, 2.0f},
               TensorSpec{"weight", DType::kBF16, d, false, 0.5f, 1.5f},
               TensorSpec{"y", DType::kBF16, n, true}};
  p.scalars = {rows, dim};
  p.extents = {rows, 1, 1};
  p.work = 2.0 * rows * dim * 2 + 2.0 * dim;  // bytes: x read, y written, weight read
  return p;
}

// One block per row: each thread sums the squares of every 256th element,
// the warps reduce with shuffles, then through shared memory; the second
// pass reads the row again, scales it and writes y. Scalar bf16 accesses,
// coalesced across the block.
__global__ void __launch_bounds__(kReferenceThreads)
    ReferenceRmsNorm(const __nv_bfloat16* __restrict__ x, const __nv_bfloat16* __restrict__ weight,
                     __nv_bfloat16* __restrict__ y, int dim) {
  __shared__ float partial[kReferenceWarps];
  const size_t start = static_cast<size_t>(blockIdx.x) * dim;
  const __nv_bfloat16* x_row = x + start;
  __nv_bfloat16* y_row = y + start;
  float sum = 0.0f;
  for (int i = threadIdx.x; i < dim; i += kReferenceThreads) {
    const float v = __bfloat162float(x_row[i]);
    sum += v * v;
  }
  for (int offset = 16; offset > 0; offset /= 2) sum += __shfl_xor_sync(0xffffffffu, sum, offset);
  if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = sum;
  __syncthreads();
  float total = 0.0f;
  for (int w = 0; w < kReferenceWarps; ++w) total += partial[w];
  const float inv_rms = rsqrtf(total / static_cast<float>(dim) + kEps);
  for (int i = threadIdx.x; i < dim; i += kReferenceThreads) {
    y_row[i] = __float2bfloat16(__bfloat162float(x_row[i]) * inv_rms * __bfloat162float(weight[i]));
  }
}

void Reference(GpuCall& call, CUstream stream) {
  const int rows = call.scalars()[0], dim = call.scalars()[1];
  const auto* x = reinterpret_cast<const __nv_bfloat16*>(call.device(0));
  const auto* weight = reinterpret_cast<const __nv_bfloat16*>(call.device(1));
  auto* y = reinterpret_cast<__nv_bfloat16*>(call.device(2));
  ReferenceRmsNorm<<<rows, kReferenceThreads, 0, stream>>>(x, weight, y, dim);
  if (const cudaError_t error = cudaGetLastError(); error != cudaSuccess) {
    throw std::runtime_error(std::string("launching the reference RMSNorm: ") +
                             cudaGetErrorString(error));
  }
}

// The same formula in double, each result rounded to bf16 as the device
// rounds it.
std::vector<std::vector<float>> HostReference(const GpuCall& call) {
  const int rows = call.scalars()[0], dim = call.scalars()[1];
  const std::vector<float>& x = call.InputValues()[0];
  const std::vector<float>& weight = call.InputValues()[1];
  std::vector<float> y(static_cast<size_t>(rows) * dim);
  for (int r = 0; r < rows; ++r) {
    const size_t start = static_cast<size_t>(r) * dim;
    double sum = 0;
    for (int i = 0; i < dim; ++i) sum += static_cast<double>(x[start + i]) * x[start + i];
    const double inv_rms = 1.0 / std::sqrt(sum / dim + static_cast<double>(kEps));
    for (int i = 0; i < dim; ++i) {
      const double value = x[start + i] * inv_rms * weight[i];
      y[start + i] = Bf16ToFloat(FloatToBf16(static_cast<float>(value)));
    }
  }
  return {y};
}

}  // namespace

int main(int argc, char** argv) {
  GpuTask task;
  task.kernel = "rmsnorm";
  task.unit = WorkUnit::kBytes;
  // A single element; an odd dim (rows only 2-byte aligned, so vector loads
  // need a scalar path); rows that fill no whole block; a dim that is 2 mod 8
  // (rows 4-byte aligned, every fourth 16-byte aligned); a long row; a small
  // LLM-like shape.
  task.check = {Problem(1, 1),     Problem(3, 4097),  Problem(257, 1000),
                Problem(33, 2050), Problem(64, 8192), Problem(1000, 768)};
  task.bench = Problem(8192, 4096);
  task.warmup = 3;
  task.trials = 20;
  task.reference = Reference;
  task.host_reference = HostReference;
  return cambrian::kernels::gpu::GpuJudgeMain(argc, argv, task);
}
