#include "device_peak.h"

namespace cambrian::kernels {

int Fp32LanesPerSm(int cc_major, int cc_minor) {
  if (cc_major == 6) return cc_minor == 0 ? 64 : 128;
  if (cc_major == 7) return 64;
  if (cc_major == 8) return cc_minor == 0 ? 64 : 128;
  if (cc_major >= 9) return 128;
  return 0;
}

double PeakFp32Gflops(const DeviceFacts& facts) {
  const int lanes = Fp32LanesPerSm(facts.cc_major, facts.cc_minor);
  if (lanes == 0 || facts.sms <= 0 || facts.clock_khz <= 0) return 0;
  return 2.0 * lanes * facts.sms * (facts.clock_khz * 1e3) / 1e9;
}

double PeakMemoryGBs(const DeviceFacts& facts) {
  if (facts.memory_clock_khz <= 0 || facts.bus_width_bits <= 0) return 0;
  return 2.0 * (facts.memory_clock_khz * 1e3) * facts.bus_width_bits / 8 / 1e9;
}

}  // namespace cambrian::kernels
