// The worker CPU meter (kernels/PROTOCOL.md, "The worker CPU meter"): the
// worker job's cgroup CPU accounting file, which counts every thread and
// process of its tree, handed to the judge as CAMBRIAN_WORKER_CPU_FD with
// its format in CAMBRIAN_WORKER_CPU_FORMAT.
#ifndef CAMBRIAN_KERNELS_CPU_METER_H_
#define CAMBRIAN_KERNELS_CPU_METER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "unique_fd.h"

namespace cambrian::kernels {

enum class CpuFormat {
  kCpuacctUsage,  // cgroup v1 "cpuacct.usage": one decimal number, nanoseconds
  kCpuStat,       // cgroup v2 "cpu.stat": the line "usage_usec N", microseconds
};

// "cpuacct.usage" or "cpu.stat" -> the format; nullopt for anything else.
std::optional<CpuFormat> ParseCpuFormat(std::string_view name);

// Total CPU nanoseconds from the text of an accounting file; nullopt and
// `*error` when the text is not in `format` (or overflows).
[[nodiscard]] std::optional<int64_t> ParseCpuUsage(std::string_view text, CpuFormat format,
                                                   std::string* error);

// Reads the cumulative CPU time of the worker's tree. Implementations are
// used from one thread.
class CpuMeter {
 public:
  virtual ~CpuMeter() = default;
  // Cumulative nanoseconds; nullopt and `*error` when the meter cannot be
  // read, which breaks the judge (the machine promised a meter) unless
  // WorkerGone() says why.
  [[nodiscard]] virtual std::optional<int64_t> ReadNs(std::string* error) = 0;
  // True once a read failed because the worker's job has ended: Cambrian
  // removes a job's cgroup when its main process exits, and reads of the
  // removed file fail (ENODEV). That is the worker gone, not a broken judge.
  virtual bool WorkerGone() const { return false; }
};

// The real meter: pread(fd, ..., 0) of the accounting file at every read.
class FdCpuMeter : public CpuMeter {
 public:
  FdCpuMeter(UniqueFd fd, CpuFormat format) : fd_(std::move(fd)), format_(format) {}
  std::optional<int64_t> ReadNs(std::string* error) override;
  bool WorkerGone() const override { return gone_; }

 private:
  UniqueFd fd_;
  CpuFormat format_;
  bool gone_ = false;
};

// The meter the environment gives this judge: nullptr with `*error` empty
// when CAMBRIAN_WORKER_CPU_FD is unset (no cgroup: charge wall time only);
// nullptr with `*error` set when it is set but unusable (not a descriptor,
// an unknown format, a first read that fails other than because the worker
// has already gone, which the session then finds on the socket).
std::unique_ptr<CpuMeter> CpuMeterFromEnv(std::string* error);

}  // namespace cambrian::kernels

#endif  // CAMBRIAN_KERNELS_CPU_METER_H_
