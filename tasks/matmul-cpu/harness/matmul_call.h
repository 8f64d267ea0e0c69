// The matmul task's one operation, as the judge asks for it in a CALL and
// the worker serves it (kernels/PROTOCOL.md leaves the arguments to tasks).
#ifndef CAMBRIAN_TASKS_MATMUL_CPU_MATMUL_CALL_H_
#define CAMBRIAN_TASKS_MATMUL_CPU_MATMUL_CALL_H_

#include <cstdint>

namespace matmul_task {

// CALL op: C = A * B, n x n, row-major floats. Arguments:
//   arg[kArgN]  n (1 .. kMaxN)
//   arg[kArgA]  byte offset of A in the input buffer
//   arg[kArgB]  byte offset of B in the input buffer
//   arg[kArgC]  byte offset of C in the output buffer
// Offsets are multiples of 4096; A, B and C never overlap.
inline constexpr uint64_t kOpMatmul = 1;
inline constexpr int kArgN = 0, kArgA = 1, kArgB = 2, kArgC = 3;
inline constexpr uint64_t kMaxN = 4096;

}  // namespace matmul_task

#endif  // CAMBRIAN_TASKS_MATMUL_CPU_MATMUL_CALL_H_
