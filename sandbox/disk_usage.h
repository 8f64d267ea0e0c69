// How much disk a job's directories take, for the disk and inode caps
// (ResourceLimits::disk_bytes, max_inodes). Internal to the sandbox module.
#ifndef CAMBRIAN_SANDBOX_DISK_USAGE_H_
#define CAMBRIAN_SANDBOX_DISK_USAGE_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace cambrian::sandbox {

struct DiskUsage {
  int64_t bytes = 0;   // allocated on disk (st_blocks), every entry counted
  int64_t inodes = 0;  // entries of every kind (files, directories, links, ...)
  // Why part of the tree could not be measured (a directory that cannot be
  // opened even after adding the owner's rwx, one that moved during the
  // walk, no descriptor left); empty when everything was. The caps count an
  // unmeasured tree as over the cap: what cannot be seen is not let through.
  std::string unmeasured;
};

// The walk stops as soon as either is exceeded (0: no cap), so its cost is
// bounded by the caps, not by what the job made.
struct UsageCaps {
  int64_t bytes = 0;
  int64_t inodes = 0;
};

// Measures everything under each of `roots` (the roots too; a missing root
// counts nothing). The walk goes by directory descriptors (openat, fstatat,
// O_NOFOLLOW), never by path strings, so depth, path length and odd names do
// not hide anything, and symlinks are counted, never followed. A directory
// that cannot be opened gets its owner's rwx added (the controller owns the
// job's files, or is root) and is tried again. The job may still be running:
// entries that vanish meanwhile are skipped. Thread-safe.
DiskUsage MeasureDiskUsage(const std::vector<std::filesystem::path>& roots, const UsageCaps& caps);

// Adds the owner's rwx to every directory under `roots` that lacks it, at
// any depth, so that the controller (not root) can remove what a job left
// (a job may chmod 000 its own directories). Best effort; for after the job.
void MakeDirectoriesRemovable(const std::vector<std::filesystem::path>& roots);

}  // namespace cambrian::sandbox

#endif  // CAMBRIAN_SANDBOX_DISK_USAGE_H_
