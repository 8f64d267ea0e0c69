#include "sandbox/bwrap_sandbox.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "sandbox/environment.h"
#include "sandbox/seccomp_filter.h"

namespace cambrian::sandbox {
namespace {

namespace fs = std::filesystem;

// Top-level entries that are directories on older systems and links into
// /usr on merged-/usr ones (Debian 12).
constexpr const char* kSystemRoots[] = {"/usr",   "/bin",   "/sbin",  "/lib",
                                        "/lib32", "/lib64", "/libx32"};
// The parts of /etc that compilers, the dynamic loader and Python read. No
// shadow, no ssh keys, no hostname-specific secrets.
constexpr const char* kEtcFiles[] = {
    "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",  "/etc/alternatives",
    "/etc/passwd",      "/etc/group",      "/etc/nsswitch.conf", "/etc/localtime",
    "/etc/ssl/certs",   "/etc/python3",    "/etc/python3.11",    "/etc/python3.12",
    "/etc/gcc",         "/etc/mime.types", "/etc/fonts",         "/etc/OpenCL"};
constexpr const char* kGpuControlDevices[] = {"/dev/nvidiactl", "/dev/nvidia-uvm",
                                              "/dev/nvidia-uvm-tools", "/dev/nvidia-modeset"};

class Args {
 public:
  void Add(std::initializer_list<std::string> args) {
    for (const std::string& arg : args) args_.push_back(arg);
  }
  // Creates each missing ancestor of `path` as a 0755 directory, so the
  // unprivileged job can walk down to a bind mount.
  void AddAncestors(const fs::path& path) {
    fs::path prefix = "/";
    for (auto it = path.begin(); it != path.end(); ++it) {
      if (std::next(it) == path.end()) break;
      if (*it == "/") continue;
      prefix /= *it;
      if (made_.insert(prefix.string()).second && !IsMounted(prefix)) {
        Add({"--perms", "0755", "--dir", prefix.string()});
      }
    }
  }
  void Bind(const char* how, const fs::path& path) {
    AddAncestors(path);
    made_.insert(path.string());
    mounted_.insert(path.string());
    Add({how, path.string(), path.string()});
  }
  // Masks `path`: an empty read-only directory over a directory, the null
  // device over anything else (reads are empty; a plain bind would be
  // mounted nodev and refuse even to open).
  void Hide(const fs::path& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      Add({"--perms", "0555", "--tmpfs", path.string(), "--remount-ro", path.string()});
    } else {
      Add({"--dev-bind", "/dev/null", path.string()});
    }
  }
  std::vector<std::string> Take() { return std::move(args_); }

 private:
  // True if `dir` is a mount point already set up (e.g. /tmp, /usr).
  bool IsMounted(const fs::path& dir) const { return mounted_.count(dir.string()) > 0; }

  std::vector<std::string> args_;
  std::set<std::string> made_;
  std::set<std::string> mounted_{"/tmp", "/proc", "/dev"};
};

void AddSystem(const BwrapOptions& options, Args* args) {
  for (const char* root : kSystemRoots) {
    std::error_code ec;
    if (fs::is_symlink(root, ec)) {
      args->Add({"--symlink", fs::read_symlink(root, ec).string(), root});
    } else if (fs::is_directory(root, ec)) {
      args->Bind("--ro-bind", root);
    }
  }
  for (const char* file : kEtcFiles) {
    std::error_code ec;
    if (fs::exists(file, ec)) args->Bind("--ro-bind", file);
  }
  for (const fs::path& path : options.extra_system_paths) args->Bind("--ro-bind", path);
}

void AddGpus(const std::vector<int>& gpus, Args* args) {
  if (gpus.empty()) return;
  for (int index : gpus)
    args->Add(
        {"--dev-bind-try", absl::StrCat("/dev/nvidia", index), absl::StrCat("/dev/nvidia", index)});
  for (const char* device : kGpuControlDevices) args->Add({"--dev-bind-try", device, device});
  // The CUDA driver reads PCI topology from /sys.
  args->Add({"--ro-bind", "/sys", "/sys"});
}

// The existing hidden paths, links resolved (a mount over a link would
// land on its target anyway, and a link to a hidden file must not leak it):
// sorted, so a parent is masked before anything inside it.
std::vector<fs::path> ExistingHidden(const std::vector<fs::path>& paths) {
  std::vector<fs::path> out;
  for (const fs::path& path : paths) {
    std::error_code ec;
    fs::path real = fs::canonical(path, ec);
    if (!ec) out.push_back(real);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Paths sorted so that a parent is mounted before anything inside it.
std::vector<fs::path> Absolute(std::vector<fs::path> paths) {
  for (fs::path& path : paths) path = fs::absolute(path).lexically_normal();
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::map<std::string, std::string> JobEnv(const JobSpec& spec) {
  std::map<std::string, std::string> env = spec.env;
  if (spec.gpus) SetGpuEnvironment(*spec.gpus, &env);
  return env;
}

// Hands the job's writable directories to the sandbox uid. lchown and a
// walk that does not follow links: a previous stage may have planted a
// symlink to a host file.
absl::Status ChownTree(const fs::path& root, uid_t uid, gid_t gid) {
  if (lchown(root.c_str(), uid, gid) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("sandbox: chown ", root.string()));
  }
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    lchown(it->path().c_str(), uid, gid);  // a file that vanished meanwhile is fine
  }
  if (ec)
    return absl::InternalError(absl::StrCat("sandbox: walk ", root.string(), ": ", ec.message()));
  return absl::OkStatus();
}

// Each private tmpfs holds at most tmp_bytes, and no more than the job's
// disk cap: its pages also count as the job's memory.
int64_t TmpfsBytes(const JobSpec& spec, const BwrapOptions& options) {
  const int64_t disk = spec.limits.disk_bytes;
  return disk > 0 ? std::min(options.tmp_bytes, disk) : options.tmp_bytes;
}

}  // namespace

std::vector<std::string> BwrapCommand(const JobSpec& spec, const BwrapOptions& options,
                                      bool as_root, int seccomp_fd) {
  Args args;
  args.Add({options.bwrap.string()});
  if (as_root) {
    // Real root needs no user namespace, and one would map the job to root.
    // The capabilities kept here last only until setpriv drops them all:
    // switching uid and clearing the bounding set need SETUID/SETGID/SETPCAP,
    // and entering a job directory owned by the sandbox uid with mode 0700
    // needs DAC_OVERRIDE.
    args.Add({"--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
              "--unshare-cgroup-try", "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add",
              "CAP_SETGID", "--cap-add", "CAP_SETPCAP", "--cap-add", "CAP_DAC_OVERRIDE"});
  } else {
    args.Add({"--unshare-all", "--cap-drop", "ALL"});
  }
  args.Add({"--die-with-parent", "--new-session", "--hostname", "cambrian-job"});
  if (seccomp_fd >= 0) args.Add({"--seccomp", absl::StrCat(seccomp_fd)});
  AddSystem(options, &args);
  args.Add({"--proc", "/proc", "--dev", "/dev"});
  // Private, sized, and writable by the job's uid (sticky, like the host's).
  const std::string tmp_size = absl::StrCat(TmpfsBytes(spec, options));
  for (const char* dir : {"/dev/shm", "/tmp"}) {
    args.Add({"--perms", "01777", "--size", tmp_size, "--tmpfs", dir});
  }
  if (spec.gpus) AddGpus(*spec.gpus, &args);
  for (const fs::path& path : ExistingHidden(spec.hidden_paths)) args.Hide(path);
  for (const fs::path& path : Absolute(spec.read_only_paths)) args.Bind("--ro-bind", path);
  std::vector<fs::path> writable = spec.writable_paths;
  writable.push_back(spec.work_dir);
  for (const fs::path& path : Absolute(writable)) args.Bind("--bind", path);
  args.Add({"--clearenv"});
  for (const auto& [name, value] : JobEnv(spec)) args.Add({"--setenv", name, value});
  args.Add({"--chdir", fs::absolute(spec.work_dir).lexically_normal().string(), "--"});
  if (as_root) {
    args.Add({options.setpriv.string(), absl::StrCat("--reuid=", options.sandbox_uid),
              absl::StrCat("--regid=", options.sandbox_gid), "--clear-groups", "--inh-caps=-all",
              "--bounding-set=-all", "--no-new-privs", "--"});
  }
  std::vector<std::string> command = args.Take();
  command.insert(command.end(), spec.argv.begin(), spec.argv.end());
  return command;
}

BwrapSandbox::BwrapSandbox(BwrapOptions options)
    : options_(std::move(options)), process_(options_.process) {}

absl::StatusOr<JobResult> BwrapSandbox::Run(const JobSpec& spec) {
  if (spec.argv.empty()) return absl::InvalidArgumentError("sandbox: empty argv");
  const bool as_root = geteuid() == 0;
  if (as_root) {
    std::vector<fs::path> writable = spec.writable_paths;
    writable.push_back(spec.work_dir);
    for (const fs::path& path : writable) {
      CAMBRIAN_RETURN_IF_ERROR(ChownTree(path, options_.sandbox_uid, options_.sandbox_gid));
    }
  }
  // No user namespace inside the job: bwrap installs the filter just before
  // it runs the job's command, read from the descriptor after the job's own.
  CAMBRIAN_ASSIGN_OR_RETURN(const int seccomp_fd, NoUserNamespacesFilterFd());
  JobSpec wrapped = spec;
  wrapped.argv =
      BwrapCommand(spec, options_, as_root, 3 + static_cast<int>(spec.inherit_fds.size()));
  wrapped.env = JobEnvironment({});  // bwrap's own; the job's is in --setenv
  wrapped.gpus.reset();
  wrapped.inherit_fds.push_back(seccomp_fd);
  absl::StatusOr<JobResult> result = process_.Run(wrapped);
  close(seccomp_fd);
  return result;
}

}  // namespace cambrian::sandbox
