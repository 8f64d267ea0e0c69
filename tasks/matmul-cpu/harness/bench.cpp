// Trusted harness for the matmul-cpu task. Linked with the candidate's
// matmul.cpp; never shown to or edited by mutators.
//
//   ./bench --check   correctness on awkward sizes -> correct, max_error
//   ./bench --time    n = 512 timing                -> gflops, time_ms, reps
//
// Inputs are fresh random matrices from $CAMBRIAN_SEED (std::mt19937_64,
// uniform in [-1, 1)); results go to $CAMBRIAN_OUT/metrics.json (the current
// directory when unset). Nothing the candidate prints is read.
//
// Correctness rule, for every output element:
//   |C[i][j] - R[i][j]| <= kTolerance * sum_k |A[i][k]| * |B[k][j]|
// where R is computed in double. kTolerance = 1e-4 allows float rounding of
// any summation order for n up to well beyond 512 (the worst case grows as
// n * 6e-8), while a single dropped or repeated term fails it. max_error is
// the largest |C - R| / sum_k |A||B| seen.
//
// The harness guards against accidental wrongness and casual shortcuts
// (reusing a previous result, writing outside C, changing the inputs); the
// sandbox, not this file, is the security boundary.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

void matmul(const float* a, const float* b, float* c, int n);

namespace {

constexpr double kTolerance = 1e-4;
constexpr int kCheckSizes[] = {1, 2, 7, 16, 67, 129, 256};
constexpr int kTimeSize = 512;
constexpr int kMinReps = 3, kMaxReps = 20;
constexpr double kMinSeconds = 1.0;
constexpr int kSamplesPerRep = 256;
constexpr int kGuard = 64;  // sentinel floats on each side of C
constexpr float kSentinel = -12345.678f;

struct Metrics {
  std::string body;  // "key": value pairs, comma-separated
  std::string feedback;
  void Add(const char* key, double value) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s\"%s\": %.9g", body.empty() ? "" : ", ", key,
                  std::isfinite(value) ? value : 0.0);
    body += buf;
  }
};

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (unsigned char ch : text) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += static_cast<char>(ch);
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch < 0x20 || ch >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", ch < 0x20 ? ch : '?');
      out += buf;
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out + "\"";
}

// Writes metrics.json and ends the process with _exit, so that no atexit
// handler or static destructor of the candidate runs after the write.
[[noreturn]] void WriteAndExit(const Metrics& metrics) {
  const char* dir = std::getenv("CAMBRIAN_OUT");
  const std::string path = std::string(dir && *dir ? dir : ".") + "/metrics.json";
  std::string json = "{\"metrics\": {" + metrics.body + "}";
  if (!metrics.feedback.empty()) json += ", \"feedback\": " + JsonString(metrics.feedback);
  json += "}\n";
  FILE* out = std::fopen(path.c_str(), "w");
  const bool ok = out && std::fputs(json.c_str(), out) >= 0 && std::fclose(out) == 0;
  std::fprintf(stderr, "%s", json.c_str());
  std::fflush(stderr);
  if (!ok) std::fprintf(stderr, "bench: cannot write %s\n", path.c_str());
  _exit(ok ? 0 : 3);
}

std::mt19937_64 SeededRng() {
  const char* seed = std::getenv("CAMBRIAN_SEED");
  return std::mt19937_64(seed ? std::strtoull(seed, nullptr, 10) : 1);
}

std::vector<float> RandomMatrix(std::mt19937_64& rng, int n) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> m(static_cast<size_t>(n) * n);
  for (float& x : m) x = dist(rng);
  return m;
}

// C with kGuard sentinels before and after; matmul sees data() + kGuard.
struct GuardedOutput {
  explicit GuardedOutput(int n) : n(n), storage(static_cast<size_t>(n) * n + 2 * kGuard) {}
  float* data() { return storage.data() + kGuard; }
  float at(int i, int j) const { return storage[kGuard + static_cast<size_t>(i) * n + j]; }
  void Poison() {  // NaN in C, so that an element left unwritten fails
    std::fill(storage.begin(), storage.end(), kSentinel);
    std::fill(data(), data() + static_cast<size_t>(n) * n, std::numeric_limits<float>::quiet_NaN());
  }
  bool GuardsIntact() const {
    auto ok = [](float x) { return x == kSentinel; };
    return std::all_of(storage.begin(), storage.begin() + kGuard, ok) &&
           std::all_of(storage.end() - kGuard, storage.end(), ok);
  }
  int n;
  std::vector<float> storage;
};

// |C[i][j] - R[i][j]| / sum_k |A||B|, or +inf when C[i][j] is not finite.
double ElementError(const std::vector<float>& a, const std::vector<float>& b,
                    const GuardedOutput& c, int n, int i, int j) {
  double ref = 0, scale = 0;
  for (int k = 0; k < n; ++k) {
    const double x = a[static_cast<size_t>(i) * n + k], y = b[static_cast<size_t>(k) * n + j];
    ref += x * y;
    scale += std::fabs(x * y);
  }
  const double got = c.at(i, j);
  if (!std::isfinite(got)) return std::numeric_limits<double>::infinity();
  return std::fabs(got - ref) / std::max(scale, 1e-30);
}

// Largest ElementError over all elements; row by row, so B is read along
// its rows and the n = 512 check stays cheap.
double FullError(const std::vector<float>& a, const std::vector<float>& b, const GuardedOutput& c,
                 int n) {
  double worst = 0;
  std::vector<double> ref(n), scale(n);
  for (int i = 0; i < n; ++i) {
    std::fill(ref.begin(), ref.end(), 0.0);
    std::fill(scale.begin(), scale.end(), 0.0);
    for (int k = 0; k < n; ++k) {
      const double x = a[static_cast<size_t>(i) * n + k];
      const float* row = &b[static_cast<size_t>(k) * n];
      for (int j = 0; j < n; ++j) {
        ref[j] += x * row[j];
        scale[j] += std::fabs(x * row[j]);
      }
    }
    for (int j = 0; j < n; ++j) {
      const double got = c.at(i, j);
      if (!std::isfinite(got)) return std::numeric_limits<double>::infinity();
      worst = std::max(worst, std::fabs(got - ref[j]) / std::max(scale[j], 1e-30));
    }
  }
  return worst;
}

// Runs matmul on copies of a and b; "" if it behaved, else what went wrong.
std::string RunChecked(const std::vector<float>& a, const std::vector<float>& b, GuardedOutput& c,
                       int n) {
  std::vector<float> a_copy = a, b_copy = b;
  c.Poison();
  matmul(a_copy.data(), b_copy.data(), c.data(), n);
  if (a_copy != a || b_copy != b) return "matmul modified its inputs A or B";
  if (!c.GuardsIntact()) return "matmul wrote outside C";
  return "";
}

[[noreturn]] void Check() {
  std::mt19937_64 rng = SeededRng();
  Metrics metrics;
  double worst = 0;
  for (int n : kCheckSizes) {
    const std::vector<float> a = RandomMatrix(rng, n), b = RandomMatrix(rng, n);
    GuardedOutput c(n);
    std::string problem = RunChecked(a, b, c, n);
    const double error = problem.empty() ? FullError(a, b, c, n) : 0;
    worst = std::max(worst, error);
    if (problem.empty() && !(error <= kTolerance)) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "max |C - ref| / sum|A||B| = %.3g > %.0e", error, kTolerance);
      problem = std::isfinite(error) ? buf : "an element of C is NaN or inf (left unwritten?)";
    }
    if (!problem.empty()) {
      metrics.Add("correct", 0);
      metrics.Add("max_error", std::isfinite(worst) ? worst : 1e30);
      metrics.feedback = "wrong result for n = " + std::to_string(n) + ": " + problem;
      WriteAndExit(metrics);
    }
  }
  metrics.Add("correct", 1);
  metrics.Add("max_error", worst);
  WriteAndExit(metrics);
}

// The inputs of one timed call.
struct Inputs {
  std::vector<float> a, b;
};

// One timed call on fresh inputs (so no earlier result can be reused),
// checked on kSamplesPerRep random elements. Returns seconds; sets *problem
// if the call misbehaved.
double TimedRep(std::mt19937_64& rng, Inputs& in, GuardedOutput& c, std::string* problem) {
  const int n = kTimeSize;
  in.a = RandomMatrix(rng, n);
  in.b = RandomMatrix(rng, n);
  std::vector<float> a_copy = in.a, b_copy = in.b;
  c.Poison();
  const auto start = std::chrono::steady_clock::now();
  matmul(a_copy.data(), b_copy.data(), c.data(), n);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  if (a_copy != in.a || b_copy != in.b) *problem = "matmul modified its inputs A or B";
  if (!c.GuardsIntact()) *problem = "matmul wrote outside C";
  std::uniform_int_distribution<int> index(0, n - 1);
  for (int s = 0; s < kSamplesPerRep && problem->empty(); ++s) {
    if (!(ElementError(in.a, in.b, c, n, index(rng), index(rng)) <= kTolerance)) {
      *problem = "timed result wrong";
    }
  }
  return elapsed.count();
}

// One warm-up, then at least kMinReps and at most kMaxReps timed calls, until
// kMinSeconds of timed calls. The last call's whole result is verified too.
[[noreturn]] void Time() {
  std::mt19937_64 rng = SeededRng();
  GuardedOutput c(kTimeSize);
  Inputs in;
  std::string problem;
  TimedRep(rng, in, c, &problem);  // warm-up
  std::vector<double> times;
  double total = 0;
  while (problem.empty() && (static_cast<int>(times.size()) < kMinReps ||
                             (total < kMinSeconds && static_cast<int>(times.size()) < kMaxReps))) {
    times.push_back(TimedRep(rng, in, c, &problem));
    total += times.back();
  }
  if (problem.empty() && !(FullError(in.a, in.b, c, kTimeSize) <= kTolerance)) {
    problem = "timed result wrong";
  }
  Metrics metrics;
  if (!problem.empty()) {
    metrics.Add("gflops", 0);
    metrics.Add("timed_correct", 0);
    metrics.feedback = problem;
    WriteAndExit(metrics);
  }
  std::sort(times.begin(), times.end());
  const size_t m = times.size();
  const double median = m % 2 ? times[m / 2] : (times[m / 2 - 1] + times[m / 2]) / 2;
  metrics.Add("gflops", 2.0 * kTimeSize * kTimeSize * kTimeSize / median / 1e9);
  metrics.Add("time_ms", median * 1e3);
  metrics.Add("reps", static_cast<double>(m));
  metrics.Add("timed_correct", 1);
  WriteAndExit(metrics);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 2 ? argv[1] : "";
  if (mode == "--check") Check();
  if (mode == "--time") Time();
  std::fprintf(stderr, "usage: %s --check | --time\n", argv[0]);
  return 2;
}
