// The GPU half of the trusted library: the device, its context, memory,
// events and the L2 flush, over the CUDA driver API. Host code only; every
// driver error becomes a CudaError. Used by the CUDA tasks' judges (built by
// their [trusted] setup with nvcc); docs/kernels.md has the design.
#ifndef CAMBRIAN_KERNELS_CUDA_GPU_H_
#define CAMBRIAN_KERNELS_CUDA_GPU_H_

#include <cuda.h>

#include <cstddef>
#include <stdexcept>
#include <string>

#include "device_peak.h"
#include "launch_decl.h"

namespace cambrian::kernels::gpu {

class CudaError : public std::runtime_error {
 public:
  CudaError(CUresult code, const std::string& what);
  CUresult code() const { return code_; }

 private:
  CUresult code_;
};

// Throws CudaError("<what>: CUDA_ERROR_...") unless `result` is success.
void Check(CUresult result, const char* what);
std::string ErrorName(CUresult result);

// The first device CUDA_VISIBLE_DEVICES shows, with its primary context
// current on the calling thread and one stream for all the judge's work.
class Gpu {
 public:
  Gpu();  // throws CudaError (no driver, no device)
  ~Gpu();
  Gpu(const Gpu&) = delete;
  Gpu& operator=(const Gpu&) = delete;

  const DeviceFacts& facts() const { return facts_; }
  LaunchLimits limits() const;
  // CU_DEVICE_ATTRIBUTE_PAGEABLE_MEMORY_ACCESS (HMM or ATS): device code
  // could then address the judge's host memory by pointer (docs/kernels.md).
  bool pageable_access() const { return pageable_access_; }
  CUstream stream() const { return stream_; }
  // Waits for every piece of work on the device (all streams, child grids).
  void Synchronize(const char* what) const;

 private:
  int Attribute(CUdevice_attribute attribute) const;

  CUdevice device_ = 0;
  CUcontext context_ = nullptr;
  CUstream stream_ = nullptr;
  DeviceFacts facts_;
  bool pageable_access_ = false;
};

// cuMemAlloc'd bytes, freed on destruction.
class DeviceMemory {
 public:
  DeviceMemory() = default;
  explicit DeviceMemory(size_t bytes);
  ~DeviceMemory();
  DeviceMemory(DeviceMemory&& other) noexcept;
  DeviceMemory& operator=(DeviceMemory&& other) noexcept;

  CUdeviceptr ptr() const { return ptr_; }
  size_t bytes() const { return bytes_; }

 private:
  CUdeviceptr ptr_ = 0;
  size_t bytes_ = 0;
};

// The GPU's own clock around work on a stream (cuEventElapsedTime: about
// half a microsecond of resolution).
class EventTimer {
 public:
  EventTimer();
  ~EventTimer();
  EventTimer(const EventTimer&) = delete;
  EventTimer& operator=(const EventTimer&) = delete;
  void Start(CUstream stream);
  void Stop(CUstream stream);
  double Milliseconds() const;  // after the stop event has completed

 private:
  CUevent start_ = nullptr, stop_ = nullptr;
};

// Evicts the L2 cache between timed calls by writing a buffer of twice its
// size (at least 8 MiB), a different word each time.
class L2Flusher {
 public:
  explicit L2Flusher(const DeviceFacts& facts);
  void Flush(CUstream stream);

 private:
  DeviceMemory buffer_;
  unsigned value_ = 0;
};

}  // namespace cambrian::kernels::gpu

#endif  // CAMBRIAN_KERNELS_CUDA_GPU_H_
