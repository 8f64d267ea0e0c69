// Finding where job cgroups can be made (DetectCgroups, cgroup.h).
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "sandbox/cgroup.h"
#include "sandbox/cgroup_files.h"

namespace cambrian::sandbox {
namespace {

namespace fs = std::filesystem;
using internal::ReadSmallFile;
using internal::WriteCgroupFile;

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
      if (option == "memory" || option == "pids" || option == "cpuacct" || option == "cpu") {
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
      (name == "memory"    ? hierarchy.memory
       : name == "pids"    ? hierarchy.pids
       : name == "cpuacct" ? hierarchy.cpuacct
                           : hierarchy.cpu) = true;
    }
    if (CanMakeChildren(hierarchy.parent)) out.push_back(hierarchy);
  }
  return out;
}

// True if the space-separated `words` (a controllers file) hold `word`
// ("cpu" is not "cpuset").
bool HasWord(const std::string& words, absl::string_view word) {
  for (absl::string_view each : absl::StrSplit(words, absl::ByAnyChar(" \n"), absl::SkipEmpty())) {
    if (each == word) return true;
  }
  return false;
}

// Enables memory, pids and cpu for the children of `dir`. cgroup v2 allows that
// only on a cgroup without processes of its own, so if ours has some (EBUSY)
// we move into a leaf first.
void EnableV2Controllers(const fs::path& dir, const std::string& available) {
  for (const char* controller : {"memory", "pids", "cpu"}) {
    if (!HasWord(available, controller)) continue;
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
    hierarchy.memory = HasWord(enabled, "memory");
    hierarchy.pids = HasWord(enabled, "pids");
    hierarchy.cpu = HasWord(enabled, "cpu");
    return {hierarchy};
  }
  return {};
}

std::string Describe(const CgroupSupport& support, bool v2) {
  std::vector<std::string> what;
  if (support.memory()) what.push_back("memory");
  if (support.pids()) what.push_back("pids");
  if (support.cpu()) what.push_back("cpu");
  if (what.empty()) what.push_back("tracking and kill only, no memory or pids controller");
  return absl::StrCat(v2 ? "cgroup v2 (" : "cgroup v1 (", absl::StrJoin(what, ", "), ")");
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

bool CgroupSupport::cpu() const {
  for (const CgroupHierarchy& h : hierarchies) {
    if (h.cpu) return true;
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

}  // namespace cambrian::sandbox
