// The judge's view of one matmul call: where A, B and C lie in the shared
// buffers, fresh secret inputs, the poisoned output with guard zones, and the
// full check of a call's result.
//
// Correctness rule, for every output element:
//   |C[i][j] - R[i][j]| <= kTolerance * sum_k |A[i][k]| * |B[k][j]|
// where R is computed in double. kTolerance = 1e-4 allows float rounding of
// any summation order for n up to well beyond 512 (the worst case grows as
// n * 6e-8), while a single dropped or repeated term fails it.
#ifndef CAMBRIAN_TASKS_MATMUL_CPU_MATMUL_VERIFY_H_
#define CAMBRIAN_TASKS_MATMUL_CPU_MATMUL_VERIFY_H_

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "entropy.h"

namespace matmul_task {

inline constexpr double kTolerance = 1e-4;
inline constexpr size_t kGuardFloats = 1024;  // one page of guard on each side of C

// Byte offsets of one call's matrices. A and B share the input buffer; C
// sits between two guard zones in the output buffer, all page-aligned.
struct Layout {
  int n = 0;
  size_t a_offset = 0, b_offset = 0;  // in the input buffer
  size_t c_offset = 0;                // in the output buffer
  size_t region_bytes = 0;            // guard + C + guard, from output offset 0

  static Layout For(int n);
  // Buffer sizes that hold the layout of any n <= max_n.
  static size_t InputBytes(int max_n);
  static size_t OutputBytes(int max_n);
};

// The judge's private copy of a call's inputs and guard values.
struct Problem {
  int n = 0;
  std::vector<float> a, b;
  std::vector<float> guard;  // 2 * kGuardFloats values, before and after C
};

// Fresh A, B (uniform in [-1, 1)) and guard values from `rng`.
void MakeProblem(cambrian::kernels::FastRng& rng, int n, Problem* problem);

// Writes A and B into `input`, the guards and NaN-filled C into `output`.
void Stage(const Problem& problem, const Layout& layout, std::span<std::byte> input,
           std::span<std::byte> output);

// Checks one answered call: the inputs in the live `input` buffer against
// the private copy, the guards and then every element of C in `snapshot`
// (the output region as copied at DONE). Returns "" when the call is right,
// else what is wrong; `*max_error` gets the largest
// |C - R| / sum_k |A||B| (+inf when an element is not finite).
std::string CheckCall(const Problem& problem, const Layout& layout,
                      std::span<const std::byte> input, std::span<const std::byte> snapshot,
                      double* max_error);

// The largest |c - R| / sum_k |A||B| over all elements of c (row-major
// n x n), R in double; +inf as soon as an element of c is not finite.
double MaxRelativeError(const float* a, const float* b, const float* c, int n);

}  // namespace matmul_task

#endif  // CAMBRIAN_TASKS_MATMUL_CPU_MATMUL_VERIFY_H_
