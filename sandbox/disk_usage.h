// How much disk a job's directories take, for the total-size cap
// (ResourceLimits::disk_bytes). Internal to the sandbox module.
#ifndef CAMBRIAN_SANDBOX_DISK_USAGE_H_
#define CAMBRIAN_SANDBOX_DISK_USAGE_H_

#include <cstdint>
#include <filesystem>
#include <vector>

namespace cambrian::sandbox {

// Bytes allocated on disk (st_blocks, so a sparse file counts what it
// really uses) by everything under each of `roots`, symlinks not followed.
// Unreadable entries and entries that vanish meanwhile are skipped: the job
// is still running while this walks its tree.
int64_t DiskUsageBytes(const std::vector<std::filesystem::path>& roots);

}  // namespace cambrian::sandbox

#endif  // CAMBRIAN_SANDBOX_DISK_USAGE_H_
