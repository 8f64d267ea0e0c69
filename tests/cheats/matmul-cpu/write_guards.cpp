// Cheat: writing outside C. Computes C correctly but uses the floats just
// before and after it as scratch space.
// EVOLVE-BLOCK-START
void matmul(const float* a, const float* b, float* c, int n) {
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      float sum = 0;
      for (int k = 0; k < n; ++k) sum += a[i * n + k] * b[k * n + j];
      c[i * n + j] = sum;
    }
  }
  c[-1] = 0.0f;
  c[n * n] = 0.0f;
}
// EVOLVE-BLOCK-END
