// A candidate's compiled device code (a fatbin or cubin from its build
// stage), loaded into the judge's context: its kernel, its declared launch
// configuration, the facts the compiler gave it, and the launch itself.
// Everything the file says is a claim: the loader checks it.
#ifndef CAMBRIAN_KERNELS_CUDA_CANDIDATE_MODULE_H_
#define CAMBRIAN_KERNELS_CUDA_CANDIDATE_MODULE_H_

#include <cuda.h>

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "gpu.h"
#include "launch_decl.h"

namespace cambrian::kernels::gpu {

// The candidate's module is unusable (no file, not a module for this GPU,
// no such kernel, no or bad launch declaration): a result about the
// candidate, reported as not correct.
class CandidateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Per-thread and per-block resources of the loaded kernel, as the driver
// reports them (cuFuncGetAttribute): what the compiler really produced for
// this GPU, whatever the build log said.
struct KernelFacts {
  int registers = 0;       // per thread
  int local_bytes = 0;     // per thread: spills and local arrays
  int static_smem = 0;     // per block
  int max_threads = 0;     // the most threads per block these resources allow
  int binary_version = 0;  // the SASS architecture, e.g. 90
};

class CandidateModule {
 public:
  inline static constexpr size_t kMaxFileBytes = size_t{64} << 20;

  // Loads `path` and finds the extern "C" kernel `kernel` and the
  // CAMBRIAN_LAUNCH declaration. Throws CandidateError (or CudaError for a
  // broken driver).
  CandidateModule(const std::string& path, const std::string& kernel, const Gpu& gpu);
  ~CandidateModule();
  CandidateModule(const CandidateModule&) = delete;
  CandidateModule& operator=(const CandidateModule&) = delete;

  const LaunchDecl& decl() const { return decl_; }
  const KernelFacts& facts() const { return facts_; }

  // Checks the declaration against `extents` (CandidateError if refused).
  void CheckFor(const std::array<int64_t, 3>& extents) const;
  // Checks that the kernel takes exactly `sizes.size()` parameters of these
  // sizes in bytes (CandidateError if not): cuLaunchKernel copies each one
  // from kernelParams by the size the image declares, so a kernel declaring
  // more or larger parameters would make the driver read past the judge's
  // arguments.
  void CheckParameters(const std::vector<size_t>& sizes) const;
  // Enqueues one launch over `extents` with `args` (cuLaunchKernel's
  // kernelParams, checked by CheckParameters). Launch errors are the
  // kernel's (CudaError).
  void Launch(const std::array<int64_t, 3>& extents, void** args, CUstream stream) const;

 private:
  void Inspect(const std::string& kernel);

  CUmodule module_ = nullptr;
  CUfunction function_ = nullptr;
  LaunchDecl decl_;
  KernelFacts facts_;
  LaunchLimits limits_;
};

}  // namespace cambrian::kernels::gpu

#endif  // CAMBRIAN_KERNELS_CUDA_CANDIDATE_MODULE_H_
