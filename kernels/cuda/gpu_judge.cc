#include "gpu_judge.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>

#include "candidate_module.h"
#include "poison.h"
#include "report.h"
#include "stats.h"

namespace cambrian::kernels::gpu {
namespace {

// The judge's state for one run: device, secret generator, flusher.
struct Bench {
  Gpu gpu;
  FastRng rng;
  L2Flusher flusher;
  uint32_t guard;

  explicit Bench(FastRng seeded)
      : rng(seeded), flusher(gpu.facts()), guard(GuardWord(rng.Next())) {}
};

FastRng SecretRng() {
  std::string error;
  std::optional<FastRng> rng = FastRng::FromEntropy(&error);
  if (!rng) throw std::runtime_error("getrandom: " + error);
  return *rng;
}

struct CallTimes {
  double candidate_ms = 0, reference_ms = 0;
};

// One verified call (see the header). Throws CandidateError with what the
// candidate got wrong; CudaError only for the judge's own failures.
CallTimes RunCall(Bench& bench, const GpuTask& task, const GpuProblem& problem,
                  const CandidateModule& module, GpuCall& call, int index) {
  const CUstream stream = bench.gpu.stream();
  call.NewInputs(bench.rng, stream);
  EventTimer timer;
  const std::string where = " (call " + std::to_string(index) + ", " + problem.label + ")";
  bench.flusher.Flush(stream);
  timer.Start(stream);
  try {  // from the launch to the end of the kernel, errors are the candidate's
    module.Launch(problem.extents, call.args(), stream);
    timer.Stop(stream);
    bench.gpu.Synchronize("the candidate's kernel");
  } catch (const CudaError& error) {
    throw CandidateError(std::string("kernel failed: ") + error.what() + where);
  }
  CallTimes times{timer.Milliseconds(), 0};
  if (std::string changed = call.CheckInputsAndGuards(); !changed.empty()) {
    throw CandidateError("the kernel " + changed + where);
  }
  const std::vector<std::vector<float>> got = call.Outputs();
  call.PoisonOutputs(stream);
  bench.flusher.Flush(stream);
  timer.Start(stream);
  task.reference(call, stream);
  timer.Stop(stream);
  bench.gpu.Synchronize("the reference");
  times.reference_ms = timer.Milliseconds();
  const std::vector<std::vector<float>> want = call.Outputs();
  size_t output = 0;
  for (const TensorSpec& spec : call.tensors()) {
    if (!spec.output) continue;
    const Comparison c = Compare(got[output], want[output], ToleranceFor(spec.dtype));
    if (!c.ok()) throw CandidateError("output '" + spec.name + "': " + Describe(c) + where);
    ++output;
  }
  return times;
}

// The call's buffers, once the kernel's parameters are known to be exactly
// what the call passes (CandidateModule::CheckParameters).
GpuCall MakeCall(const Bench& bench, const GpuProblem& problem, const CandidateModule& module) {
  GpuCall call(problem.tensors, problem.scalars, bench.guard);
  module.CheckParameters(call.ArgSizes());
  return call;
}

void ReportFacts(const CandidateModule& module, Report& report) {
  const KernelFacts& f = module.facts();
  const LaunchDecl& d = module.decl();
  report.Set("registers", f.registers);
  report.Set("local_bytes", f.local_bytes);
  report.Set("shared_bytes", f.static_smem + d.dynamic_smem);
  report.Set("threads_per_block", static_cast<double>(d.block_x) * d.block_y * d.block_z);
}

void Check(Bench& bench, const GpuTask& task, const CandidateModule& module, Report& report) {
  int index = 0;
  for (const GpuProblem& problem : task.check) {
    GpuCall call = MakeCall(bench, problem, module);
    RunCall(bench, task, problem, module, call, ++index);
  }
  report.Set("correct", 1);
  report.AddFeedback("correct on " + std::to_string(index) + " sizes; " +
                     DescribeLaunch(module.decl()));
}

void Time(Bench& bench, const GpuTask& task, const CandidateModule& module, Report& report) {
  GpuCall call = MakeCall(bench, task.bench, module);
  std::vector<double> candidate, reference;
  for (int i = 0; i < task.warmup + task.trials; ++i) {
    const CallTimes t = RunCall(bench, task, task.bench, module, call, i + 1);
    if (i < task.warmup) continue;
    candidate.push_back(t.candidate_ms);
    reference.push_back(t.reference_ms);
  }
  const double median_ms = Median(candidate);
  const bool flops = task.unit == WorkUnit::kFlops;
  const DeviceFacts& facts = bench.gpu.facts();
  report.Set("timed_correct", 1);
  report.Set("speedup", MedianRatio(reference, candidate));
  report.Set("kernel_us", median_ms * 1e3);
  report.Set("reference_us", Median(reference) * 1e3);
  report.Set("spread", RelativeIqr(candidate));
  report.Set("ratio_spread", RelativeIqr(Ratios(reference, candidate)));
  report.Set(flops ? "gflops" : "gbps", task.bench.work / (median_ms * 1e-3) / 1e9);
  report.Set(flops ? "peak_gflops" : "peak_gbps",
             flops ? PeakFp32Gflops(facts) : PeakMemoryGBs(facts));
  report.Set("pageable_access", bench.gpu.pageable_access() ? 1 : 0);
  report.Set("calls", task.warmup + task.trials);
  report.AddFeedback(facts.name + ": " + std::to_string(median_ms * 1e3) + " us per call, " +
                     "reference " + std::to_string(Median(reference) * 1e3) + " us");
}

// check or time: a report whatever the candidate does.
[[noreturn]] void Judge(const std::string& mode, const std::string& path, const GpuTask& task) {
  Bench bench(SecretRng());
  Report report;
  report.Set(mode == "check" ? "correct" : "timed_correct", 0);
  try {
    CandidateModule module(path, task.kernel, bench.gpu);
    ReportFacts(module, report);
    if (mode == "check") {
      Check(bench, task, module, report);
    } else {
      Time(bench, task, module, report);
    }
  } catch (const CandidateError& error) {
    report.AddFeedback(error.what());
  }
  WriteReportAndExit(report);
}

int SelfTest(const GpuTask& task) {
  Bench bench(SecretRng());
  int failures = 0;
  for (const GpuProblem& problem : task.check) {
    GpuCall call(problem.tensors, problem.scalars, bench.guard);
    call.NewInputs(bench.rng, bench.gpu.stream());
    task.reference(call, bench.gpu.stream());
    bench.gpu.Synchronize("the reference");
    const std::vector<std::vector<float>> got = call.Outputs();
    const std::vector<std::vector<float>> want = task.host_reference(call);
    size_t output = 0;
    for (const TensorSpec& spec : call.tensors()) {
      if (!spec.output) continue;
      const Comparison c = Compare(got[output], want[output], ToleranceFor(spec.dtype));
      std::printf("%-24s %-8s %s\n", problem.label.c_str(), spec.name.c_str(), Describe(c).c_str());
      failures += c.ok() ? 0 : 1;
      ++output;
    }
  }
  std::printf("%s\n", failures == 0 ? "selftest passed" : "selftest FAILED");
  return failures == 0 ? 0 : 1;
}

int Facts() {
  Gpu gpu;
  const DeviceFacts& f = gpu.facts();
  std::printf(
      "{\"name\": %s, \"cc\": \"%d.%d\", \"sms\": %d, \"clock_khz\": %d, "
      "\"memory_clock_khz\": %d, \"bus_width_bits\": %d, \"l2_bytes\": %d, "
      "\"peak_gflops\": %.0f, \"peak_gbps\": %.0f, \"pageable_access\": %s}\n",
      JsonString(f.name).c_str(), f.cc_major, f.cc_minor, f.sms, f.clock_khz, f.memory_clock_khz,
      f.bus_width_bits, f.l2_bytes, PeakFp32Gflops(f), PeakMemoryGBs(f),
      gpu.pageable_access() ? "true" : "false");
  return 0;
}

// Ends the process without running static destructors, as
// WriteReportAndExit does: cuBLAS's runtime would otherwise tear down its
// state at exit after the judge released the primary context.
[[noreturn]] void Exit(int status) {
  std::fflush(stdout);
  std::fflush(stderr);
  _exit(status);
}

}  // namespace

int GpuJudgeMain(int argc, char** argv, const GpuTask& task) {
  const std::string mode = argc > 1 ? argv[1] : "";
  try {
    if ((mode == "check" || mode == "time") && argc == 3) Judge(mode, argv[2], task);
    if (mode == "selftest" && argc == 2) Exit(SelfTest(task));
    if (mode == "facts" && argc == 2) Exit(Facts());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "judge: %s\n", error.what());
    Exit(2);
  }
  std::fprintf(stderr, "usage: %s check|time MODULE | selftest | facts\n", argv[0]);
  Exit(2);
}

}  // namespace cambrian::kernels::gpu
