// The selective-scan-cuda task's judge (trusted; built by the task's setup):
// the candidate's `selective_scan` kernel against a plain CUDA kernel (one
// thread per (batch, channel) pair walking t) on the same buffers, on fresh
// secret inputs per call (kernels/cuda/gpu_judge.h does the calls).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "gpu_judge.h"

namespace {

using cambrian::kernels::DType;
using cambrian::kernels::gpu::GpuCall;
using cambrian::kernels::gpu::GpuProblem;
using cambrian::kernels::gpu::GpuTask;
using cambrian::kernels::gpu::TensorSpec;
using cambrian::kernels::gpu::WorkUnit;

constexpr int kMaxState = 64;  // the task's stated limit on state

// Input ranges. delta and A as in Mamba: a step size in [0.001, 0.1) and a
// negative A, so every step decays h by exp(delta * A), between 0.905 and 1.
// A stops at -0.25, not nearer 0: a state remembers about
// 1 / (|A| mean(delta)) steps, and a kernel whose exp is off by a constant 2
// units in the last place (__expf, or exp2f of a pre-scaled A, on a GPU
// whose exp2 leans one way) carries that error through every remembered
// step. With A down to -0.05 (memories up to 400 steps) a simulation of
// that error reached 0.6 of the f32 tolerance at length 2048, leaving no
// margin for the reference's own exp error; with A below -0.25 (up to 80
// steps) it stays near 0.13. Chunked scans that take exp of summed deltas
// stayed at 0.01 to 0.03 of the tolerance with either range.
constexpr float kDeltaLo = 0.001f, kDeltaHi = 0.1f;
constexpr float kALo = -1.0f, kAHi = -0.25f;

GpuProblem Problem(int batch, int dim, int length, int state) {
  GpuProblem p;
  p.label = "batch=" + std::to_string(batch) + " dim=" + std::to_string(dim) +
            " length=" + std::to_string(length) + " state=" + std::to_string(state);
  const size_t sequence = static_cast<size_t>(batch) * dim * length;      // u, delta, y
  const size_t projection = static_cast<size_t>(batch) * state * length;  // B, C
  const size_t decay = static_cast<size_t>(dim) * state;                  // A
  p.tensors = {TensorSpec{"u", DType::kF32, sequence, false, -1, 1},
               TensorSpec{"delta", DType::kF32, sequence, false, kDeltaLo, kDeltaHi},
               TensorSpec{"A", DType::kF32, decay, false, kALo, kAHi},
               TensorSpec{"B", DType::kF32, projection, false, -1, 1},
               TensorSpec{"C", DType::kF32, projection, false, -1, 1},
               TensorSpec{"D", DType::kF32, static_cast<size_t>(dim), false, -1, 1},
               TensorSpec{"y", DType::kF32, sequence, true}};
  p.scalars = {batch, dim, length, state};
  p.extents = {dim, batch, 1};
  // Bytes a kernel must move at least: every input read once, y written once.
  p.work = 4.0 * (3.0 * sequence + 2.0 * projection + decay + dim);
  return p;
}

// One thread per (b, d) pair, t in order, h in registers (the loop over the
// states is unrolled to the limit and guarded), FP32 with expf.
__global__ void ReferenceScan(const float* u, const float* delta, const float* A, const float* B,
                              const float* C, const float* D, float* y, int batch, int dim,
                              int length, int state) {
  const int pair = blockIdx.x * blockDim.x + threadIdx.x;  // b * dim + d
  if (pair >= batch * dim) return;
  const int b = pair / dim, d = pair % dim;
  const size_t row = static_cast<size_t>(pair) * length;
  const float* b_row = B + static_cast<size_t>(b) * state * length;
  const float* c_row = C + static_cast<size_t>(b) * state * length;
  const float* a_row = A + static_cast<size_t>(d) * state;
  float h[kMaxState];
#pragma unroll
  for (int n = 0; n < kMaxState; ++n) h[n] = 0.0f;
  for (int t = 0; t < length; ++t) {
    const float dt = delta[row + t], x = u[row + t];
    float sum = 0.0f;
#pragma unroll
    for (int n = 0; n < kMaxState; ++n) {
      if (n < state) {
        const size_t at = static_cast<size_t>(n) * length + t;
        h[n] = expf(dt * a_row[n]) * h[n] + dt * b_row[at] * x;
        sum += c_row[at] * h[n];
      }
    }
    y[row + t] = sum + D[d] * x;
  }
}

void Reference(GpuCall& call, CUstream stream) {
  const std::vector<int>& s = call.scalars();
  const int batch = s[0], dim = s[1], length = s[2], state = s[3];
  if (state < 1 || state > kMaxState) throw std::runtime_error("state out of the task's range");
  auto in = [&](int i) { return reinterpret_cast<const float*>(call.device(i)); };
  constexpr int kBlock = 128;
  const int blocks = (batch * dim + kBlock - 1) / kBlock;
  ReferenceScan<<<blocks, kBlock, 0, stream>>>(in(0), in(1), in(2), in(3), in(4), in(5),
                                               reinterpret_cast<float*>(call.device(6)), batch, dim,
                                               length, state);
  if (const cudaError_t error = cudaGetLastError(); error != cudaSuccess) {
    throw std::runtime_error(std::string("reference launch failed: ") + cudaGetErrorString(error));
  }
}

// The same recurrence in double, on the inputs as uploaded.
std::vector<std::vector<float>> HostReference(const GpuCall& call) {
  const std::vector<int>& s = call.scalars();
  const int batch = s[0], dim = s[1], length = s[2], state = s[3];
  const std::vector<std::vector<float>>& in = call.InputValues();  // u, delta, A, B, C, D
  const std::vector<float>& u = in[0];
  const std::vector<float>& delta = in[1];
  const std::vector<float>& A = in[2];
  const std::vector<float>& B = in[3];
  const std::vector<float>& C = in[4];
  const std::vector<float>& D = in[5];
  std::vector<float> y(static_cast<size_t>(batch) * dim * length);
  std::vector<double> h(state);
  for (int b = 0; b < batch; ++b) {
    for (int d = 0; d < dim; ++d) {
      std::fill(h.begin(), h.end(), 0.0);
      const size_t row = (static_cast<size_t>(b) * dim + d) * length;
      for (int t = 0; t < length; ++t) {
        const double dt = delta[row + t], x = u[row + t];
        double sum = 0;
        for (int n = 0; n < state; ++n) {
          const size_t at = (static_cast<size_t>(b) * state + n) * length + t;
          h[n] = std::exp(dt * A[static_cast<size_t>(d) * state + n]) * h[n] + dt * B[at] * x;
          sum += C[at] * h[n];
        }
        y[row + t] = static_cast<float>(sum + D[d] * x);
      }
    }
  }
  return {y};
}

}  // namespace

int main(int argc, char** argv) {
  GpuTask task;
  task.kernel = "selective_scan";
  task.unit = WorkUnit::kBytes;
  // A single step and state; odd channel counts, lengths and states (a
  // partial tile, a chunk of t cut short, states not divisible by the
  // threads sharing them); the state limit; the benchmark's shape at a
  // smaller size.
  task.check = {Problem(1, 1, 1, 1), Problem(2, 3, 257, 16), Problem(1, 37, 1000, 7),
                Problem(3, 64, 64, 64), Problem(2, 130, 2048, 16)};
  task.bench = Problem(4, 1536, 2048, 16);
  task.warmup = 3;
  task.trials = 20;
  task.reference = Reference;
  task.host_reference = HostReference;
  return cambrian::kernels::gpu::GpuJudgeMain(argc, argv, task);
}
