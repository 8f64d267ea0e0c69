#include "matmul_verify.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "poison.h"

namespace matmul_task {
namespace {

constexpr size_t kPage = 4096;

size_t RoundUp(size_t bytes) { return (bytes + kPage - 1) / kPage * kPage; }

size_t MatrixBytes(int n) { return static_cast<size_t>(n) * n * sizeof(float); }

bool SameBytes(std::span<const std::byte> buffer, size_t offset, const std::vector<float>& m) {
  return std::memcmp(buffer.data() + offset, m.data(), m.size() * sizeof(float)) == 0;
}

// The largest |c - ref| / scale over `rows` rows of c; +inf if an element
// is not finite.
double WorstInRows(const float* c, const std::vector<double>& ref, const std::vector<double>& scale,
                   int rows, int n) {
  double worst = 0;
  for (size_t e = 0; e < static_cast<size_t>(rows) * n; ++e) {
    const double got = c[e];
    if (!std::isfinite(got)) return std::numeric_limits<double>::infinity();
    worst = std::max(worst, std::fabs(got - ref[e]) / std::max(scale[e], 1e-30));
  }
  return worst;
}

}  // namespace

Layout Layout::For(int n) {
  Layout layout;
  layout.n = n;
  layout.b_offset = RoundUp(MatrixBytes(n));
  layout.c_offset = kGuardFloats * sizeof(float);
  layout.region_bytes = layout.c_offset + MatrixBytes(n) + kGuardFloats * sizeof(float);
  return layout;
}

size_t Layout::InputBytes(int max_n) { return 2 * RoundUp(MatrixBytes(max_n)); }

size_t Layout::OutputBytes(int max_n) { return RoundUp(For(max_n).region_bytes); }

void MakeProblem(cambrian::kernels::FastRng& rng, int n, Problem* problem) {
  problem->n = n;
  problem->a.resize(static_cast<size_t>(n) * n);
  problem->b.resize(static_cast<size_t>(n) * n);
  problem->guard.resize(2 * kGuardFloats);
  rng.Fill(problem->a, -1.0f, 1.0f);
  rng.Fill(problem->b, -1.0f, 1.0f);
  rng.Fill(problem->guard, -1e6f, 1e6f);  // unpredictable, so not restorable by guessing
}

void Stage(const Problem& problem, const Layout& layout, std::span<std::byte> input,
           std::span<std::byte> output) {
  std::memcpy(input.data() + layout.a_offset, problem.a.data(), MatrixBytes(problem.n));
  std::memcpy(input.data() + layout.b_offset, problem.b.data(), MatrixBytes(problem.n));
  auto* region = reinterpret_cast<float*>(output.data());
  const size_t elements = static_cast<size_t>(problem.n) * problem.n;
  std::memcpy(region, problem.guard.data(), kGuardFloats * sizeof(float));
  // The shared poison (kernels/cpp/poison.h): an element never written reads NaN.
  cambrian::kernels::FillWords(
      std::span<uint32_t>(reinterpret_cast<uint32_t*>(region + kGuardFloats), elements),
      cambrian::kernels::kPoisonWord);
  std::memcpy(region + kGuardFloats + elements, problem.guard.data() + kGuardFloats,
              kGuardFloats * sizeof(float));
}

double MaxRelativeError(const float* a, const float* b, const float* c, int n) {
  double worst = 0;
  std::vector<double> ref(n), scale(n);
  for (int i = 0; i < n; ++i) {  // row by row, so that B is read along its rows
    std::fill(ref.begin(), ref.end(), 0.0);
    std::fill(scale.begin(), scale.end(), 0.0);
    for (int k = 0; k < n; ++k) {
      const double x = a[static_cast<size_t>(i) * n + k];
      const float* row = b + static_cast<size_t>(k) * n;
      for (int j = 0; j < n; ++j) {
        ref[j] += x * row[j];
        scale[j] += std::fabs(x * row[j]);
      }
    }
    const double row_worst = WorstInRows(c + static_cast<size_t>(i) * n, ref, scale, 1, n);
    if (!std::isfinite(row_worst)) return row_worst;
    worst = std::max(worst, row_worst);
  }
  return worst;
}

std::string CheckCall(const Problem& problem, const Layout& layout,
                      std::span<const std::byte> input, std::span<const std::byte> snapshot,
                      double* max_error) {
  *max_error = 0;
  if (!SameBytes(input, layout.a_offset, problem.a) ||
      !SameBytes(input, layout.b_offset, problem.b)) {
    return "the inputs A or B changed during the call";
  }
  const size_t after = layout.c_offset + MatrixBytes(problem.n);
  if (std::memcmp(snapshot.data(), problem.guard.data(), kGuardFloats * sizeof(float)) != 0 ||
      std::memcmp(snapshot.data() + after, problem.guard.data() + kGuardFloats,
                  kGuardFloats * sizeof(float)) != 0) {
    return "matmul wrote outside C (a guard zone changed)";
  }
  std::vector<float> c(static_cast<size_t>(problem.n) * problem.n);
  std::memcpy(c.data(), snapshot.data() + layout.c_offset, MatrixBytes(problem.n));
  *max_error = MaxRelativeError(problem.a.data(), problem.b.data(), c.data(), problem.n);
  if (*max_error <= kTolerance) return "";
  if (!std::isfinite(*max_error)) return "an element of C is NaN or inf (left unwritten?)";
  char text[160];
  std::snprintf(text, sizeof text, "wrong result: max |C - ref| / sum|A||B| = %.3g > %.0e",
                *max_error, kTolerance);
  return text;
}

}  // namespace matmul_task
