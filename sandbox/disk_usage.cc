#include "sandbox/disk_usage.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"

namespace cambrian::sandbox {
namespace {

// Directories this close to the root keep their descriptor while the walk is
// below them; deeper ones are closed and reached again through "..", so a
// chain of any depth costs a bounded number of descriptors.
constexpr size_t kHeldDepth = 16;
constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
constexpr char kMoved[] = "a directory moved during the walk";

// Adds the owner's rwx to the directory open at `fd` (any kind of
// descriptor, O_PATH included), through /proc so no path is looked up again.
bool AddOwnerRwx(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return false;
  if ((st.st_mode & S_IRWXU) == S_IRWXU) return true;
  const std::string self = absl::StrCat("/proc/self/fd/", fd);
  return chmod(self.c_str(), (st.st_mode & 07777) | S_IRWXU) == 0;
}

// One directory on the walk's stack.
struct Frame {
  int fd = -1;  // -1 once released (deeper than kHeldDepth)
  dev_t dev = 0;
  ino_t ino = 0;
  std::vector<std::string> subdirs;  // still to visit
};

class Walker {
 public:
  Walker(const UsageCaps& caps, bool repair) : caps_(caps), repair_(repair) {}
  ~Walker() {
    for (Frame& frame : stack_) {
      if (frame.fd >= 0) close(frame.fd);
    }
  }

  // Adds `root`'s tree to usage(); does nothing once Stopped().
  void Walk(const std::filesystem::path& root);
  DiskUsage& usage() { return usage_; }
  // A cap is exceeded or something could not be measured.
  bool Stopped() const {
    return !usage_.unmeasured.empty() || (caps_.bytes > 0 && usage_.bytes > caps_.bytes) ||
           (caps_.inodes > 0 && usage_.inodes > caps_.inodes);
  }

 private:
  void Fail(std::string why) {
    if (usage_.unmeasured.empty()) usage_.unmeasured = std::move(why);
  }
  void Count(const struct stat& st) {
    usage_.bytes += int64_t{st.st_blocks} * 512;
    ++usage_.inodes;
  }
  bool Push(int fd);
  void List();
  int OpenDir(int parent, const char* name);
  void Descend(const std::string& name);
  void Ascend();

  UsageCaps caps_;
  bool repair_;
  DiskUsage usage_;
  std::vector<Frame> stack_;  // stack_.back().fd is always open
};

// Opens `name` below `parent` as a directory, adding the owner's rwx when
// it cannot be read. Returns -1 and leaves unmeasured empty if it vanished or
// is no longer a directory (it was counted when listed), -1 with unmeasured
// set if it cannot be opened.
int Walker::OpenDir(int parent, const char* name) {
  int fd = openat(parent, name, kDirFlags);
  if (fd >= 0 || errno == ENOENT || errno == ENOTDIR || errno == ELOOP) return fd;
  if (errno == EACCES || errno == EPERM) {
    int path_fd = openat(parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (path_fd >= 0 && AddOwnerRwx(path_fd)) {
      fd = open(absl::StrCat("/proc/self/fd/", path_fd).c_str(), kDirFlags & ~O_NOFOLLOW);
    }
    const int saved = errno;
    if (path_fd >= 0) close(path_fd);
    if (fd >= 0) return fd;
    errno = saved;
  }
  Fail(absl::StrCat("a directory cannot be opened: ", std::strerror(errno)));
  return -1;
}

bool Walker::Push(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    close(fd);
    Fail(absl::StrCat("fstat: ", std::strerror(errno)));
    return false;
  }
  stack_.push_back(Frame{fd, st.st_dev, st.st_ino, {}});
  return true;
}

// Counts every entry of the top directory and notes its subdirectories.
void Walker::List() {
  Frame& frame = stack_.back();
  // A duplicate reads the directory without a new permission check (the job
  // may have chmodded it since it was opened); it is listed only once, so
  // the shared offset does not matter.
  const int list_fd = fcntl(frame.fd, F_DUPFD_CLOEXEC, 0);
  DIR* dir = list_fd < 0 ? nullptr : fdopendir(list_fd);
  if (dir == nullptr) {
    if (list_fd >= 0) close(list_fd);
    return Fail(absl::StrCat("a directory cannot be listed: ", std::strerror(errno)));
  }
  while (const dirent* entry = readdir(dir)) {
    const char* name = entry->d_name;
    if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) continue;
    struct stat st {};
    int rc = fstatat(frame.fd, name, &st, AT_SYMLINK_NOFOLLOW);
    if (rc != 0 && errno == EACCES && AddOwnerRwx(frame.fd)) {
      rc = fstatat(frame.fd, name, &st, AT_SYMLINK_NOFOLLOW);
    }
    if (rc != 0 && errno == ENOENT) continue;  // the job removed it meanwhile
    if (rc != 0) {
      Fail(absl::StrCat("an entry cannot be examined: ", std::strerror(errno)));
      break;
    }
    Count(st);
    if (S_ISDIR(st.st_mode)) frame.subdirs.emplace_back(name);
    if (Stopped()) break;
  }
  closedir(dir);
}

void Walker::Descend(const std::string& name) {
  const int parent = stack_.back().fd;
  const int fd = OpenDir(parent, name.c_str());
  if (fd < 0) return;
  if (repair_ && !AddOwnerRwx(fd)) Fail(absl::StrCat("chmod: ", std::strerror(errno)));
  if (stack_.size() > kHeldDepth) {
    close(parent);
    stack_.back().fd = -1;
  }
  if (Push(fd)) List();
}

// Leaves the top directory for its parent, reopening the parent through ".."
// when its descriptor was released, and checking that it is still the same
// directory (the job may move directories while the walk is below them).
void Walker::Ascend() {
  Frame done = std::move(stack_.back());
  stack_.pop_back();
  if (!stack_.empty() && stack_.back().fd < 0) {
    const int up = openat(done.fd, "..", kDirFlags);
    struct stat st {};
    if (up >= 0 && fstat(up, &st) == 0 && st.st_dev == stack_.back().dev &&
        st.st_ino == stack_.back().ino) {
      stack_.back().fd = up;
    } else {
      if (up >= 0) close(up);
      Fail(kMoved);
    }
  }
  close(done.fd);
}

void Walker::Walk(const std::filesystem::path& root) {
  int fd = open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && (errno == EACCES || errno == EPERM)) fd = OpenDir(AT_FDCWD, root.c_str());
  if (fd < 0) {
    struct stat st {};
    if (errno == ENOTDIR && lstat(root.c_str(), &st) == 0) {
      Count(st);  // a file given as a root
    } else if (errno != ENOENT) {
      Fail(absl::StrCat("cannot open ", root.string(), ": ", std::strerror(errno)));
    }
    return;
  }
  if (repair_) AddOwnerRwx(fd);
  if (!Push(fd)) return;
  struct stat st {};
  fstat(fd, &st);
  Count(st);
  List();
  while (!stack_.empty() && !Stopped()) {
    Frame& top = stack_.back();
    if (top.subdirs.empty()) {
      Ascend();
      continue;
    }
    const std::string name = std::move(top.subdirs.back());
    top.subdirs.pop_back();
    Descend(name);
  }
}

DiskUsage WalkAll(const std::vector<std::filesystem::path>& roots, const UsageCaps& caps,
                  bool repair) {
  Walker walker(caps, repair);
  for (const std::filesystem::path& root : roots) {
    if (walker.Stopped()) break;
    walker.Walk(root);
  }
  return std::move(walker.usage());
}

}  // namespace

DiskUsage MeasureDiskUsage(const std::vector<std::filesystem::path>& roots, const UsageCaps& caps) {
  DiskUsage usage = WalkAll(roots, caps, false);
  // A job that happened to move a directory while the walk was below it
  // gets a second look before it is counted as over the cap.
  if (usage.unmeasured == kMoved) usage = WalkAll(roots, caps, false);
  return usage;
}

void MakeDirectoriesRemovable(const std::vector<std::filesystem::path>& roots) {
  WalkAll(roots, UsageCaps{}, true);
}

}  // namespace cambrian::sandbox
