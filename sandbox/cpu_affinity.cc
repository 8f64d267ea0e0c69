#include "sandbox/cpu_affinity.h"

#include <cmath>
#include <vector>

namespace cambrian::sandbox {

std::optional<cpu_set_t> JobAffinity(double cpus, uint64_t index) {
  if (cpus <= 0) return std::nullopt;
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return std::nullopt;
  std::vector<int> ids;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &allowed)) ids.push_back(cpu);
  }
  const auto wanted = static_cast<size_t>(std::ceil(cpus));
  if (wanted >= ids.size()) return std::nullopt;
  cpu_set_t chosen;
  CPU_ZERO(&chosen);
  for (size_t i = 0; i < wanted; ++i) CPU_SET(ids[(index * wanted + i) % ids.size()], &chosen);
  return chosen;
}

}  // namespace cambrian::sandbox
