#include "sandbox/cgroup.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace cambrian::sandbox {
namespace {

namespace fs = std::filesystem;

std::string ReadSmallFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes `value` with one write(2), as cgroup files require; returns errno.
int WriteCgroupFile(const fs::path& path, const std::string& value) {
  std::FILE* file = std::fopen(path.c_str(), "we");
  if (file == nullptr) return errno;
  std::setvbuf(file, nullptr, _IONBF, 0);
  int error = std::fwrite(value.data(), 1, value.size(), file) == value.size() ? 0 : errno;
  if (std::fclose(file) != 0 && error == 0) error = errno;
  return error;
}

// The number after `key` in a "key value" per line file (memory.events,
// pids.events, memory.oom_control); 0 if absent.
int64_t KeyedValue(const fs::path& path, const std::string& key) {
  std::istringstream lines(ReadSmallFile(path));
  std::string name;
  int64_t value = 0;
  while (lines >> name >> value) {
    if (name == key) return value;
  }
  return 0;
}

struct Mount {
  fs::path point;
  std::string root;  // the hierarchy path mounted there
  bool unified = false;
  std::vector<std::string> controllers;
};

// cgroup mounts from /proc/self/mountinfo: "ID PARENT M:N ROOT POINT OPTS ...
// - FSTYPE SOURCE SUPEROPTS".
std::vector<Mount> CgroupMounts() {
  std::vector<Mount> mounts;
  std::istringstream lines(ReadSmallFile("/proc/self/mountinfo"));
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields = absl::StrSplit(line, ' ');
    size_t dash = 0;
    while (dash < fields.size() && fields[dash] != "-") ++dash;
    if (dash < 5 || dash + 3 > fields.size()) continue;
    const std::string& type = fields[dash + 1];
    if (type != "cgroup" && type != "cgroup2") continue;
    Mount mount{fields[4], fields[3], type == "cgroup2", {}};
    for (absl::string_view option : absl::StrSplit(fields[dash + 3], ',')) {
      if (option == "memory" || option == "pids" || option == "cpuacct") {
        mount.controllers.emplace_back(option);
      }
    }
    mounts.push_back(std::move(mount));
  }
  return mounts;
}

// /proc/self/cgroup: "ID:CONTROLLERS:PATH"; v2 is "0::PATH".
std::map<std::string, std::string> OwnCgroupPaths() {
  std::map<std::string, std::string> paths;  // controller (or "" for v2) -> path
  std::istringstream lines(ReadSmallFile("/proc/self/cgroup"));
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (fields.size() != 3) continue;
    if (fields[1].empty()) paths[""] = fields[2];
    for (absl::string_view controller : absl::StrSplit(fields[1], ',')) {
      paths[std::string(controller)] = fields[2];
    }
  }
  return paths;
}

fs::path OwnDir(const Mount& mount, std::string path) {
  // Inside a container the mount's root may be a sub-path of the hierarchy.
  if (mount.root != "/" && path.rfind(mount.root, 0) == 0) path = path.substr(mount.root.size());
  return mount.point / fs::path(path).relative_path();
}

bool CanMakeChildren(const fs::path& parent) {
  const fs::path probe = parent / absl::StrCat("cambrian-probe-", getpid());
  if (mkdir(probe.c_str(), 0755) != 0) return false;
  rmdir(probe.c_str());
  return true;
}

std::vector<CgroupHierarchy> V1Hierarchies(const std::vector<Mount>& mounts,
                                           const std::map<std::string, std::string>& own) {
  std::vector<CgroupHierarchy> out;
  for (const Mount& mount : mounts) {
    if (mount.unified || mount.controllers.empty()) continue;
    CgroupHierarchy hierarchy;
    const std::string& controller = mount.controllers.front();
    auto it = own.find(controller);
    if (it == own.end()) continue;
    hierarchy.parent = OwnDir(mount, it->second);
    for (const std::string& name : mount.controllers) {
      (name == "memory" ? hierarchy.memory
       : name == "pids" ? hierarchy.pids
                        : hierarchy.cpuacct) = true;
    }
    if (CanMakeChildren(hierarchy.parent)) out.push_back(hierarchy);
  }
  return out;
}

// Enables memory and pids for the children of `dir`. cgroup v2 allows that
// only on a cgroup without processes of its own, so if ours has some (EBUSY)
// we move into a leaf first.
void EnableV2Controllers(const fs::path& dir, const std::string& available) {
  for (const char* controller : {"memory", "pids"}) {
    if (available.find(controller) == std::string::npos) continue;
    const std::string request = absl::StrCat("+", controller);
    if (WriteCgroupFile(dir / "cgroup.subtree_control", request) != EBUSY) continue;
    const fs::path leaf = dir / "cambrian-controller";
    mkdir(leaf.c_str(), 0755);
    if (WriteCgroupFile(leaf / "cgroup.procs", "0") == 0) {
      WriteCgroupFile(dir / "cgroup.subtree_control", request);
    }
  }
}

std::vector<CgroupHierarchy> V2Hierarchy(const std::vector<Mount>& mounts,
                                         const std::map<std::string, std::string>& own) {
  auto it = own.find("");
  if (it == own.end()) return {};
  for (const Mount& mount : mounts) {
    if (!mount.unified) continue;
    CgroupHierarchy hierarchy{OwnDir(mount, it->second), true, false, false};
    if (!CanMakeChildren(hierarchy.parent)) return {};
    EnableV2Controllers(hierarchy.parent, ReadSmallFile(hierarchy.parent / "cgroup.controllers"));
    const std::string enabled = ReadSmallFile(hierarchy.parent / "cgroup.subtree_control");
    hierarchy.memory = enabled.find("memory") != std::string::npos;
    hierarchy.pids = enabled.find("pids") != std::string::npos;
    return {hierarchy};
  }
  return {};
}

std::string Describe(const CgroupSupport& support, bool v2) {
  std::vector<std::string> what;
  if (support.memory()) what.push_back("memory");
  if (support.pids()) what.push_back("pids");
  if (what.empty()) what.push_back("tracking and kill only, no memory or pids controller");
  return absl::StrCat(v2 ? "cgroup v2 (" : "cgroup v1 (", absl::StrJoin(what, ", "), ")");
}

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

}  // namespace

bool CgroupSupport::memory() const {
  for (const CgroupHierarchy& h : hierarchies) {
    if (h.memory) return true;
  }
  return false;
}

bool CgroupSupport::pids() const {
  for (const CgroupHierarchy& h : hierarchies) {
    if (h.pids) return true;
  }
  return false;
}

bool CgroupSupport::cpu_accounting() const {
  for (const CgroupHierarchy& h : hierarchies) {
    if (h.cpuacct || h.unified) return true;
  }
  return false;
}

CgroupSupport DetectCgroups() {
  const std::vector<Mount> mounts = CgroupMounts();
  const std::map<std::string, std::string> own = OwnCgroupPaths();
  CgroupSupport support;
  support.hierarchies = V1Hierarchies(mounts, own);
  bool v2 = false;
  if (support.hierarchies.empty()) {
    support.hierarchies = V2Hierarchy(mounts, own);
    v2 = true;
  }
  if (support.usable()) {
    support.summary = Describe(support, v2);
  } else if (mounts.empty()) {
    support.summary = "no cgroup filesystem mounted";
  } else {
    support.summary = "the controller's cgroup is not writable (run as root or delegate a subtree)";
  }
  return support;
}

absl::StatusOr<std::unique_ptr<JobCgroup>> JobCgroup::Create(const CgroupSupport& support,
                                                             const std::string& name,
                                                             int64_t memory_bytes,
                                                             int64_t max_processes) {
  std::unique_ptr<JobCgroup> cgroup(new JobCgroup(support.hierarchies));
  for (const CgroupHierarchy& h : support.hierarchies) {
    const fs::path dir = h.parent / name;
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return absl::ErrnoToStatus(errno, absl::StrCat("sandbox: mkdir ", dir.string()));
    }
    cgroup->dirs_.push_back(dir);
    int error = 0;
    if (h.memory && memory_bytes > 0) {
      const std::string bytes = absl::StrCat(memory_bytes);
      error = WriteCgroupFile(dir / (h.unified ? "memory.max" : "memory.limit_in_bytes"), bytes);
      // Swap too, where the kernel accounts it (the file may be missing).
      if (error == 0) {
        WriteCgroupFile(dir / (h.unified ? "memory.swap.max" : "memory.memsw.limit_in_bytes"),
                        h.unified ? "0" : bytes);
      }
    }
    if (error == 0 && h.pids && max_processes > 0) {
      error = WriteCgroupFile(dir / "pids.max", absl::StrCat(max_processes));
    }
    if (error != 0) {
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
