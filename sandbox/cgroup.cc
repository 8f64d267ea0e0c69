#include "sandbox/cgroup.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "sandbox/cgroup_files.h"

namespace cambrian::sandbox {
namespace {

namespace fs = std::filesystem;

using internal::KeyedValue;
using internal::ReadSmallFile;
using internal::WriteCgroupFile;

// The CPU bandwidth period, in microseconds (the kernel's default).
constexpr int64_t kCpuPeriodUs = 100000;

std::vector<pid_t> Procs(const fs::path& dir) {
  std::vector<pid_t> pids;
  std::istringstream lines(ReadSmallFile(dir / "cgroup.procs"));
  for (long pid = 0; lines >> pid;) pids.push_back(static_cast<pid_t>(pid));
  return pids;
}

// `dir` and every sub-cgroup below it, deepest last.
std::vector<fs::path> Tree(const fs::path& dir) {
  std::vector<fs::path> out{dir};
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) out.push_back(it->path());
  }
  return out;
}

bool KillTree(const fs::path& dir) {
  const std::vector<fs::path> tree = Tree(dir);
  if (fs::exists(dir / "cgroup.kill")) WriteCgroupFile(dir / "cgroup.kill", "1");
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    bool empty = true;
    for (const fs::path& cgroup : tree) {
      for (pid_t pid : Procs(cgroup)) {
        empty = false;
        kill(pid, SIGKILL);
      }
    }
    if (empty) return true;
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

// Removes the tree bottom-up; a cgroup whose last process is still exiting
// refuses rmdir for a moment.
bool RemoveTree(const fs::path& dir) {
  std::vector<fs::path> tree = Tree(dir);
  for (auto it = tree.rbegin(); it != tree.rend(); ++it) {
    for (int attempt = 0; rmdir(it->c_str()) != 0 && errno != ENOENT; ++attempt) {
      if (attempt == 500) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  return true;
}

// Writes the limits `h`'s controllers enforce into the job cgroup `dir`;
// returns the errno of a failing memory or pids write, 0 otherwise.
int SetLimits(const CgroupHierarchy& h, const fs::path& dir, const CgroupLimits& limits) {
  if (h.memory && limits.memory_bytes > 0) {
    const std::string bytes = absl::StrCat(limits.memory_bytes);
    if (int error =
            WriteCgroupFile(dir / (h.unified ? "memory.max" : "memory.limit_in_bytes"), bytes)) {
      return error;
    }
    // Swap too, where the kernel accounts it (the file may be missing).
    WriteCgroupFile(dir / (h.unified ? "memory.swap.max" : "memory.memsw.limit_in_bytes"),
                    h.unified ? "0" : bytes);
  }
  if (h.pids && limits.max_processes > 0) {
    if (int error = WriteCgroupFile(dir / "pids.max", absl::StrCat(limits.max_processes))) {
      return error;
    }
  }
  if (h.cpu && limits.cpus > 0) {
    // The kernel's smallest quota is 1 ms. A quota the kernel refuses (one
    // above a quota the controller's own cgroup already has) leaves that one
    // in force: not worth failing the job for.
    const int64_t quota = std::max<int64_t>(1000, std::llround(limits.cpus * kCpuPeriodUs));
    if (h.unified) {
      WriteCgroupFile(dir / "cpu.max", absl::StrCat(quota, " ", kCpuPeriodUs));
    } else {
      WriteCgroupFile(dir / "cpu.cfs_period_us", absl::StrCat(kCpuPeriodUs));
      WriteCgroupFile(dir / "cpu.cfs_quota_us", absl::StrCat(quota));
    }
  }
  return 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<JobCgroup>> JobCgroup::Create(const CgroupSupport& support,
                                                             const std::string& name,
                                                             const CgroupLimits& limits) {
  std::unique_ptr<JobCgroup> cgroup(new JobCgroup(support.hierarchies));
  for (const CgroupHierarchy& h : support.hierarchies) {
    const fs::path dir = h.parent / name;
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return absl::ErrnoToStatus(errno, absl::StrCat("sandbox: mkdir ", dir.string()));
    }
    cgroup->dirs_.push_back(dir);
    if (int error = SetLimits(h, dir, limits); error != 0) {
      return absl::ErrnoToStatus(error, absl::StrCat("sandbox: limits of ", dir.string()));
    }
  }
  return cgroup;
}

std::vector<fs::path> JobCgroup::DirsFor(const CgroupSupport& support, const std::string& name) {
  std::vector<fs::path> dirs;
  for (const CgroupHierarchy& h : support.hierarchies) dirs.push_back(h.parent / name);
  return dirs;
}

JobCgroup::~JobCgroup() { KillAndRemoveCgroups(dirs_); }

std::vector<fs::path> JobCgroup::ProcsFiles() const {
  std::vector<fs::path> files;
  for (const fs::path& dir : dirs_) files.push_back(dir / "cgroup.procs");
  return files;
}

void JobCgroup::KillAll() {
  for (const fs::path& dir : dirs_) KillTree(dir);
}

bool JobCgroup::OomKilled() const {
  for (size_t i = 0; i < dirs_.size(); ++i) {
    if (!hierarchies_[i].memory) continue;
    const bool v2 = hierarchies_[i].unified;
    if (KeyedValue(dirs_[i] / (v2 ? "memory.events" : "memory.oom_control"), "oom_kill") > 0) {
      return true;
    }
  }
  return false;
}

bool JobCgroup::ProcessCapHit() const {
  for (size_t i = 0; i < dirs_.size(); ++i) {
    if (hierarchies_[i].pids && KeyedValue(dirs_[i] / "pids.events", "max") > 0) return true;
  }
  return false;
}

int64_t JobCgroup::PeakMemoryBytes() const {
  for (size_t i = 0; i < dirs_.size(); ++i) {
    if (!hierarchies_[i].memory) continue;
    std::istringstream text(ReadSmallFile(
        dirs_[i] / (hierarchies_[i].unified ? "memory.peak" : "memory.max_usage_in_bytes")));
    int64_t bytes = 0;
    if (text >> bytes) return bytes;
  }
  return 0;
}

double JobCgroup::CpuSeconds() const {
  for (size_t i = 0; i < dirs_.size(); ++i) {
    if (hierarchies_[i].unified) return KeyedValue(dirs_[i] / "cpu.stat", "usage_usec") / 1e6;
    if (!hierarchies_[i].cpuacct) continue;
    std::istringstream text(ReadSmallFile(dirs_[i] / "cpuacct.usage"));
    int64_t nanoseconds = 0;
    if (text >> nanoseconds) return nanoseconds / 1e9;
  }
  return 0;
}

bool JobCgroup::CpuUsageFile(fs::path* file, std::string* format) const {
  for (size_t i = 0; i < dirs_.size(); ++i) {
    if (hierarchies_[i].unified) {
      *file = dirs_[i] / "cpu.stat";
      *format = "cpu.stat";
      return true;
    }
    if (hierarchies_[i].cpuacct) {
      *file = dirs_[i] / "cpuacct.usage";
      *format = "cpuacct.usage";
      return true;
    }
  }
  return false;
}

bool KillAndRemoveCgroups(const std::vector<fs::path>& dirs) {
  bool all_gone = true;
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) continue;
    all_gone = KillTree(dir) && RemoveTree(dir) && all_gone;
  }
  return all_gone;
}

int SweepDeadControllersCgroups(const CgroupSupport& support) {
  int removed = 0;
  for (const CgroupHierarchy& h : support.hierarchies) {
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(h.parent, ec)) {
      const std::string name = entry.path().filename().string();
      long pid = 0;
      if (std::sscanf(name.c_str(), "cambrian-%ld-", &pid) != 1 || pid <= 0) continue;
      // Alive (or not ours to judge): leave it.
      if (kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
      if (KillAndRemoveCgroups({entry.path()})) ++removed;
    }
  }
  return removed;
}

}  // namespace cambrian::sandbox
