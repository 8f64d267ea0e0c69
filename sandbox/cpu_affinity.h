// The fallback for ResourceLimits::cpus where no cgroup CPU quota can be
// set: the job's processes pinned to a few CPUs. Internal to the sandbox
// module.
#ifndef CAMBRIAN_SANDBOX_CPU_AFFINITY_H_
#define CAMBRIAN_SANDBOX_CPU_AFFINITY_H_

#include <sched.h>

#include <cstdint>
#include <optional>

namespace cambrian::sandbox {

// ceil(cpus) of the calling process's allowed CPUs, the `index`-th group of
// that many (wrapping around), so that jobs started one after another spread
// over the machine. nullopt when cpus <= 0 or it would allow every CPU
// anyway. A job can widen its own affinity again (sched_setaffinity): this
// slows a program down, it does not contain a hostile one.
std::optional<cpu_set_t> JobAffinity(double cpus, uint64_t index);

}  // namespace cambrian::sandbox

#endif  // CAMBRIAN_SANDBOX_CPU_AFFINITY_H_
