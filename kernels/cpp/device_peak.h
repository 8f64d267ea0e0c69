// A GPU's peak rates from the facts its driver reports, for plausibility
// bounds: no honest kernel computes faster than the FP32 units can or moves
// more bytes than the memory bus carries. Pure arithmetic, so it is tested
// without a GPU (tests/kernels/cpp/device_peak_test.cc).
#ifndef CAMBRIAN_KERNELS_DEVICE_PEAK_H_
#define CAMBRIAN_KERNELS_DEVICE_PEAK_H_

#include <string>

namespace cambrian::kernels {

struct DeviceFacts {
  std::string name;
  int cc_major = 0, cc_minor = 0;  // compute capability
  int sms = 0;                     // streaming multiprocessors
  int clock_khz = 0;               // the SM clock the driver reports (its boost clock)
  int memory_clock_khz = 0;        // the memory clock (data moves on both edges)
  int bus_width_bits = 0;          // global memory bus width
  int l2_bytes = 0;
};

// FP32 lanes (FMA units) per SM for a compute capability; 0 when unknown.
// 64 for 6.0, 7.x and 8.0; 128 for 6.1/6.2, 8.6 to 8.9 and from 9.0 on.
int Fp32LanesPerSm(int cc_major, int cc_minor);

// sms * lanes * 2 (an FMA is two flops) * clock, in GFLOP/s; 0 when the
// architecture or the clock is unknown (callers then skip the bound).
double PeakFp32Gflops(const DeviceFacts& facts);

// 2 * memory clock * bus width / 8, in GB/s (10^9 bytes); 0 when unknown.
double PeakMemoryGBs(const DeviceFacts& facts);

}  // namespace cambrian::kernels

#endif  // CAMBRIAN_KERNELS_DEVICE_PEAK_H_
