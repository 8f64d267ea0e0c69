// Cheat: killing the judge. At the first call (the judge surely runs by
// then), looks through /proc for this stage's judge (a process whose
// environment holds CAMBRIAN_WORKER_FD and that shares a parent or
// grandparent with this worker: a test on a shared machine must not hit
// anyone else's judges) and SIGKILLs it, then serves the naive kernel.
// EVOLVE-BLOCK-START
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

namespace {

int ParentOf(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');
  if (close == std::string::npos || close + 4 >= text.size()) return 0;
  return std::atoi(text.c_str() + close + 4);  // ") S PPID"
}

std::set<int> NearAncestors(int pid) {
  std::set<int> out;
  for (int level = 0; level < 2 && pid > 1; ++level) out.insert(pid = ParentOf(pid));
  out.erase(1);
  out.erase(0);
  return out;
}

bool IsJudge(int pid) {
  std::ifstream environ("/proc/" + std::to_string(pid) + "/environ");
  std::string text((std::istreambuf_iterator<char>(environ)), std::istreambuf_iterator<char>());
  return text.find("CAMBRIAN_WORKER_FD=") != std::string::npos;
}

void KillJudges() {
  const std::set<int> mine = NearAncestors(getpid());
  DIR* proc = opendir("/proc");
  while (dirent* entry = proc ? readdir(proc) : nullptr) {
    const int pid = std::atoi(entry->d_name);
    if (pid <= 1 || pid == getpid() || !IsJudge(pid)) continue;
    for (int ancestor : NearAncestors(pid)) {
      if (mine.count(ancestor)) kill(pid, SIGKILL);
    }
  }
  if (proc) closedir(proc);
}

}  // namespace

void matmul(const float* a, const float* b, float* c, int n) {
  static bool done = false;
  if (!done) KillJudges();
  done = true;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      float sum = 0;
      for (int k = 0; k < n; ++k) sum += a[i * n + k] * b[k * n + j];
      c[i * n + j] = sum;
    }
  }
}
// EVOLVE-BLOCK-END
