// The candidate's side of the matmul-cpu task: serves the judge's calls with
// the candidate's matmul (program/matmul.cpp), linked into this program with
// the worker half of $CAMBRIAN_KERNELS/cpp. Everything here runs as the
// candidate and is trusted by nobody: the judge times, checks and scores in
// its own process (harness/judge.cpp).
//
// Build (task.toml): matmul.cpp at -O3 -march=native on its own, this file
// at -O1 with -I$CAMBRIAN_KERNELS/cpp. The worker half of the kernels
// library is included here as one translation unit, so that the standard
// headers are parsed once, not five times: the build stage takes about 1 s
// instead of 2.6 s. The per-call work here is microseconds either way.
#include "worker.cc"

#include <cstddef>
#include <string>

#include "declarations.cc"
#include "fault.cc"
#include "matmul_call.h"
#include "shared_buffer.cc"
#include "wire.cc"
#include "worker.h"

void matmul(const float* a, const float* b, float* c, int n);

namespace {

using cambrian::kernels::WorkerCall;
using cambrian::kernels::WorkerMemory;
using cambrian::kernels::WorkerReply;

// True when an n x n float matrix at byte `offset` lies inside `bytes`.
bool Fits(uint64_t offset, uint64_t n, size_t bytes) {
  return offset % alignof(float) == 0 && offset <= bytes && n * n * sizeof(float) <= bytes - offset;
}

WorkerReply Serve(const WorkerCall& call, const WorkerMemory& memory) {
  using namespace matmul_task;
  if (call.args.op != kOpMatmul) return WorkerReply::Failed("unknown op");
  const uint64_t n = call.args.arg[kArgN];
  const uint64_t a = call.args.arg[kArgA], b = call.args.arg[kArgB], c = call.args.arg[kArgC];
  if (n < 1 || n > kMaxN || !Fits(a, n, memory.input.size()) || !Fits(b, n, memory.input.size()) ||
      !Fits(c, n, memory.output.size())) {
    return WorkerReply::Failed("call arguments out of range: n = " + std::to_string(n));
  }
  const auto* input = reinterpret_cast<const float*>(memory.input.data());
  auto* output = reinterpret_cast<float*>(memory.output.data());
  matmul(input + a / sizeof(float), input + b / sizeof(float), output + c / sizeof(float),
         static_cast<int>(n));
  return WorkerReply::Done();
}

}  // namespace

int main() { return cambrian::kernels::RunWorkerFromEnv({}, Serve); }
