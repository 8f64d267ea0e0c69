// Reading and writing cgroup control files. Internal to the sandbox module
// (cgroup.cc, cgroup_detect.cc).
#ifndef CAMBRIAN_SANDBOX_CGROUP_FILES_H_
#define CAMBRIAN_SANDBOX_CGROUP_FILES_H_

#include <cstdint>
#include <filesystem>
#include <string>

namespace cambrian::sandbox::internal {

// The whole (small) file; "" if it cannot be read.
std::string ReadSmallFile(const std::filesystem::path& path);

// Writes `value` with one write(2), as cgroup files require; returns errno
// (0 on success).
int WriteCgroupFile(const std::filesystem::path& path, const std::string& value);

// The number after `key` in a "key value" per line file (memory.events,
// pids.events, memory.oom_control, cpu.stat); 0 if absent.
int64_t KeyedValue(const std::filesystem::path& path, const std::string& key);

}  // namespace cambrian::sandbox::internal

#endif  // CAMBRIAN_SANDBOX_CGROUP_FILES_H_
