#include "gpu.h"

#include <algorithm>
#include <utility>

namespace cambrian::kernels::gpu {

CudaError::CudaError(CUresult code, const std::string& what)
    : std::runtime_error(what), code_(code) {}

std::string ErrorName(CUresult result) {
  const char* name = nullptr;
  if (cuGetErrorName(result, &name) != CUDA_SUCCESS || name == nullptr) {
    return "CUDA error " + std::to_string(static_cast<int>(result));
  }
  return name;
}

void Check(CUresult result, const char* what) {
  if (result != CUDA_SUCCESS) throw CudaError(result, std::string(what) + ": " + ErrorName(result));
}

Gpu::Gpu() {
  Check(cuInit(0), "cuInit");
  int count = 0;
  Check(cuDeviceGetCount(&count), "cuDeviceGetCount");
  if (count < 1) throw CudaError(CUDA_ERROR_NO_DEVICE, "no CUDA device visible");
  Check(cuDeviceGet(&device_, 0), "cuDeviceGet");
  Check(cuDevicePrimaryCtxRetain(&context_, device_), "cuDevicePrimaryCtxRetain");
  Check(cuCtxSetCurrent(context_), "cuCtxSetCurrent");
  Check(cuStreamCreate(&stream_, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
  char name[256] = {};
  Check(cuDeviceGetName(name, sizeof name - 1, device_), "cuDeviceGetName");
  facts_.name = name;
  facts_.cc_major = Attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
  facts_.cc_minor = Attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
  facts_.sms = Attribute(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
  facts_.clock_khz = Attribute(CU_DEVICE_ATTRIBUTE_CLOCK_RATE);
  facts_.memory_clock_khz = Attribute(CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE);
  facts_.bus_width_bits = Attribute(CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH);
  facts_.l2_bytes = Attribute(CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE);
  pageable_access_ = Attribute(CU_DEVICE_ATTRIBUTE_PAGEABLE_MEMORY_ACCESS) != 0;
}

Gpu::~Gpu() {
  if (stream_ != nullptr) cuStreamDestroy(stream_);
  if (context_ != nullptr) cuDevicePrimaryCtxRelease(device_);
}

int Gpu::Attribute(CUdevice_attribute attribute) const {
  int value = 0;
  // An attribute a driver does not know reads as 0 (unknown), not an error.
  if (cuDeviceGetAttribute(&value, attribute, device_) != CUDA_SUCCESS) return 0;
  return value;
}

LaunchLimits Gpu::limits() const {
  LaunchLimits limits;
  limits.max_threads_per_block = Attribute(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK);
  limits.max_block = {Attribute(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X),
                      Attribute(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y),
                      Attribute(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z)};
  limits.max_grid = {Attribute(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X),
                     Attribute(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y),
                     Attribute(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z)};
  limits.max_dynamic_smem =
      std::max(Attribute(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN),
               Attribute(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK));
  return limits;
}

void Gpu::Synchronize(const char* what) const { Check(cuCtxSynchronize(), what); }

DeviceMemory::DeviceMemory(size_t bytes) : bytes_(bytes) {
  Check(cuMemAlloc(&ptr_, std::max<size_t>(bytes, 1)), "cuMemAlloc");
}

DeviceMemory::~DeviceMemory() {
  if (ptr_ != 0) cuMemFree(ptr_);
}

DeviceMemory::DeviceMemory(DeviceMemory&& other) noexcept
    : ptr_(std::exchange(other.ptr_, 0)), bytes_(std::exchange(other.bytes_, 0)) {}

DeviceMemory& DeviceMemory::operator=(DeviceMemory&& other) noexcept {
  if (this != &other) {
    if (ptr_ != 0) cuMemFree(ptr_);
    ptr_ = std::exchange(other.ptr_, 0);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

EventTimer::EventTimer() {
  Check(cuEventCreate(&start_, CU_EVENT_DEFAULT), "cuEventCreate");
  Check(cuEventCreate(&stop_, CU_EVENT_DEFAULT), "cuEventCreate");
}

EventTimer::~EventTimer() {
  cuEventDestroy(start_);
  cuEventDestroy(stop_);
}

void EventTimer::Start(CUstream stream) { Check(cuEventRecord(start_, stream), "cuEventRecord"); }
void EventTimer::Stop(CUstream stream) { Check(cuEventRecord(stop_, stream), "cuEventRecord"); }

double EventTimer::Milliseconds() const {
  float ms = 0;
  Check(cuEventElapsedTime(&ms, start_, stop_), "cuEventElapsedTime");
  return ms;
}

L2Flusher::L2Flusher(const DeviceFacts& facts)
    : buffer_(std::max<size_t>(size_t{2} * std::max(facts.l2_bytes, 0), size_t{8} << 20)) {}

void L2Flusher::Flush(CUstream stream) {
  Check(cuMemsetD32Async(buffer_.ptr(), ++value_, buffer_.bytes() / 4, stream), "L2 flush");
}

}  // namespace cambrian::kernels::gpu
