// Single-precision matrix multiply: C = A * B for n x n row-major matrices.
//
// The seed is the textbook triple loop. Its shape is controlled by the knobs
// below (the `// @knob` comments), which an offline search may change; an LLM
// may also rewrite anything between the EVOLVE-BLOCK markers. Every knob
// combination compiles and is correct for every n >= 1.
// EVOLVE-BLOCK-START
#include <algorithm>
#include <vector>

// Loop order, outermost first: "ijk" is C[i][j] += A[i][k] * B[k][j] with k
// innermost (a dot product); "ikj" streams rows of B and C instead.
constexpr char kLoopOrder[] = "ijk";  // @knob choices=ijk,ikj,jik,jki,kij,kji
// Cache blocking: walk the matrices in kTileI x kTileJ x kTileK tiles (the
// tile loops use the same order as the element loops).
constexpr bool kBlock = false;  // @knob choices=false,true
constexpr int kTileI = 64;      // @knob choices=16,32,64,128,256
constexpr int kTileJ = 64;      // @knob choices=16,32,64,128,256
constexpr int kTileK = 64;      // @knob choices=16,32,64,128,256
// Innermost loop unrolled by this factor: that many partial sums when it
// runs over k, a `#pragma GCC unroll` hint otherwise.
constexpr int kUnroll = 1;  // @knob choices=1,2,4,8
// Multiply by a transposed copy of B, so that B is read along k contiguously.
constexpr bool kTransposeB = false;  // @knob choices=false,true

namespace {

// Position of an axis (0 = i, 1 = j, 2 = k) at loop depth `level`.
constexpr int Axis(int level) { return kLoopOrder[level] - 'i'; }

// Element (k, j) of B, from B itself or from its transpose.
inline float LoadB(const float* b, int n, int k, int j) {
  if constexpr (kTransposeB) {
    return b[j * n + k];
  } else {
    return b[k * n + j];
  }
}

// The innermost loop, over axis `kInner` from lo to hi; x[] holds the fixed
// indices of the other two axes. A, B and C never overlap (the task promises
// it), and __restrict lets the compiler vectorise without overlap checks.
template <int kInner>
void InnerLoop(const float* __restrict a, const float* __restrict b, float* __restrict c, int n,
               const int x[3], int lo, int hi) {
  const int i = x[0], j = x[1], k = x[2];
  int t = lo;
  if constexpr (kInner == 2) {  // over k: a dot product into C[i][j]
    float sum[kUnroll] = {};
    for (; t + kUnroll <= hi; t += kUnroll) {
      for (int u = 0; u < kUnroll; ++u) sum[u] += a[i * n + t + u] * LoadB(b, n, t + u, j);
    }
    for (; t < hi; ++t) sum[0] += a[i * n + t] * LoadB(b, n, t, j);
    float total = 0;
    for (int u = 0; u < kUnroll; ++u) total += sum[u];
    c[i * n + j] += total;
  } else if constexpr (kInner == 1) {  // over j: C[i][:] += A[i][k] * B[k][:]
    const float aik = a[i * n + k];
#pragma GCC unroll kUnroll
    for (; t < hi; ++t) c[i * n + t] += aik * LoadB(b, n, k, t);
  } else {  // over i: C[:][j] += A[:][k] * B[k][j]
    const float bkj = LoadB(b, n, k, j);
#pragma GCC unroll kUnroll
    for (; t < hi; ++t) c[t * n + j] += a[t * n + k] * bkj;
  }
}

// All (i, j, k) with lo[axis] <= index < hi[axis], in kLoopOrder.
void MultiplyTile(const float* a, const float* b, float* c, int n, const int lo[3],
                  const int hi[3]) {
  constexpr int kOuter = Axis(0), kMiddle = Axis(1), kInner = Axis(2);
  int x[3] = {};
  for (x[kOuter] = lo[kOuter]; x[kOuter] < hi[kOuter]; ++x[kOuter]) {
    for (x[kMiddle] = lo[kMiddle]; x[kMiddle] < hi[kMiddle]; ++x[kMiddle]) {
      InnerLoop<kInner>(a, b, c, n, x, lo[kInner], hi[kInner]);
    }
  }
}

void MultiplyBlocked(const float* a, const float* b, float* c, int n) {
  constexpr int kTile[3] = {kTileI, kTileJ, kTileK};
  constexpr int kOuter = Axis(0), kMiddle = Axis(1), kInner = Axis(2);
  int lo[3], hi[3];
  for (lo[kOuter] = 0; lo[kOuter] < n; lo[kOuter] += kTile[kOuter]) {
    hi[kOuter] = std::min(n, lo[kOuter] + kTile[kOuter]);
    for (lo[kMiddle] = 0; lo[kMiddle] < n; lo[kMiddle] += kTile[kMiddle]) {
      hi[kMiddle] = std::min(n, lo[kMiddle] + kTile[kMiddle]);
      for (lo[kInner] = 0; lo[kInner] < n; lo[kInner] += kTile[kInner]) {
        hi[kInner] = std::min(n, lo[kInner] + kTile[kInner]);
        MultiplyTile(a, b, c, n, lo, hi);
      }
    }
  }
}

}  // namespace

void matmul(const float* a, const float* b, float* c, int n) {
  std::vector<float> transposed;
  if constexpr (kTransposeB) {
    transposed.resize(static_cast<size_t>(n) * n);
    for (int k = 0; k < n; ++k) {
      for (int j = 0; j < n; ++j) transposed[j * n + k] = b[k * n + j];
    }
    b = transposed.data();
  }
  std::fill(c, c + static_cast<size_t>(n) * n, 0.0f);
  if constexpr (kBlock) {
    MultiplyBlocked(a, b, c, n);
  } else {
    const int lo[3] = {0, 0, 0}, hi[3] = {n, n, n};
    MultiplyTile(a, b, c, n, lo, hi);
  }
}
// EVOLVE-BLOCK-END
