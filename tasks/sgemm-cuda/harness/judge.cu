// The sgemm-cuda task's judge (trusted; built by the task's setup): the
// candidate's `sgemm` kernel against cuBLAS's SGEMM on the same buffers, on
// fresh secret inputs per call (kernels/cuda/gpu_judge.h does the calls).
#include <cublas_v2.h>

#include <stdexcept>
#include <string>

#include "gpu_judge.h"

namespace {

using cambrian::kernels::DType;
using cambrian::kernels::gpu::GpuCall;
using cambrian::kernels::gpu::GpuProblem;
using cambrian::kernels::gpu::GpuTask;
using cambrian::kernels::gpu::TensorSpec;
using cambrian::kernels::gpu::WorkUnit;

GpuProblem Problem(int m, int n, int k) {
  GpuProblem p;
  p.label = "M=" + std::to_string(m) + " N=" + std::to_string(n) + " K=" + std::to_string(k);
  const size_t mm = m, nn = n, kk = k;
  p.tensors = {TensorSpec{"A", DType::kF32, mm * kk, false},
               TensorSpec{"B", DType::kF32, kk * nn, false},
               TensorSpec{"C", DType::kF32, mm * nn, true}};
  p.scalars = {m, n, k};
  p.extents = {n, m, 1};
  p.work = 2.0 * m * n * k;
  return p;
}

// Row-major C = A B is column-major C^T = B^T A^T: cuBLAS sees B as an
// n x k matrix and A as k x m. Default math mode: FP32, no TF32.
void Reference(GpuCall& call, CUstream stream) {
  static cublasHandle_t handle = [] {
    cublasHandle_t h = nullptr;
    if (cublasCreate(&h) != CUBLAS_STATUS_SUCCESS) throw std::runtime_error("cublasCreate failed");
    return h;
  }();
  const int m = call.scalars()[0], n = call.scalars()[1], k = call.scalars()[2];
  const float one = 1, zero = 0;
  if (cublasSetStream(handle, stream) != CUBLAS_STATUS_SUCCESS) {
    throw std::runtime_error("cublasSetStream failed");
  }
  const auto* a = reinterpret_cast<const float*>(call.device(0));
  const auto* b = reinterpret_cast<const float*>(call.device(1));
  auto* c = reinterpret_cast<float*>(call.device(2));
  if (cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &one, b, n, a, k, &zero, c, n) !=
      CUBLAS_STATUS_SUCCESS) {
    throw std::runtime_error("cublasSgemm failed");
  }
}

std::vector<std::vector<float>> HostReference(const GpuCall& call) {
  const int m = call.scalars()[0], n = call.scalars()[1], k = call.scalars()[2];
  const std::vector<float>& a = call.InputValues()[0];
  const std::vector<float>& b = call.InputValues()[1];
  std::vector<double> c(static_cast<size_t>(m) * n, 0.0);
  for (int i = 0; i < m; ++i) {
    for (int p = 0; p < k; ++p) {
      const double aip = a[static_cast<size_t>(i) * k + p];
      for (int j = 0; j < n; ++j)
        c[static_cast<size_t>(i) * n + j] += aip * b[static_cast<size_t>(p) * n + j];
    }
  }
  return {std::vector<float>(c.begin(), c.end())};
}

}  // namespace

int main(int argc, char** argv) {
  GpuTask task;
  task.kernel = "sgemm";
  task.unit = WorkUnit::kFlops;
  // Odd sizes catch edge handling; 1-wide ones catch a kernel that assumes
  // whole tiles; the last is the benchmark's shape at a smaller size.
  task.check = {Problem(509, 383, 257), Problem(1, 1024, 77), Problem(1000, 1, 3),
                Problem(256, 256, 256), Problem(1024, 768, 512)};
  task.bench = Problem(4096, 4096, 4096);
  task.warmup = 3;
  task.trials = 20;
  task.reference = Reference;
  task.host_reference = HostReference;
  return cambrian::kernels::gpu::GpuJudgeMain(argc, argv, task);
}
