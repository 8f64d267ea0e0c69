// Helpers shared by the sandbox tests: temporary job directories, shell jobs,
// and a check that a process group is really gone.
#ifndef CAMBRIAN_TESTS_SANDBOX_SANDBOX_TEST_UTIL_H_
#define CAMBRIAN_TESTS_SANDBOX_SANDBOX_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/types.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "sandbox/environment.h"
#include "sandbox/sandbox.h"

namespace cambrian::sandbox::testing {

// A fresh empty directory under ::testing::TempDir(); not removed (TempDir is
// per test run).
inline std::filesystem::path MakeTempDir() {
  std::string pattern = (std::filesystem::path(::testing::TempDir()) / "sandbox_XXXXXX").string();
  const char* made = mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr) << "mkdtemp " << pattern;
  return made != nullptr ? std::filesystem::path(made) : std::filesystem::path();
}

// `script` run by /bin/sh in `dir` with the allow-listed environment and a
// wall timeout generous enough for a loaded machine.
inline JobSpec ShellJob(const std::string& script, const std::filesystem::path& dir) {
  JobSpec spec;
  spec.argv = {"/bin/sh", "-c", script};
  spec.work_dir = dir;
  spec.env = JobEnvironment({});
  spec.limits.wall_timeout = absl::Seconds(30);
  return spec;
}

// Counts live (not zombie) processes whose process group is `pgid`. Killed
// processes may stay zombies until PID 1 reaps them, which kill(-pgid, 0)
// still counts, so /proc is read instead.
// The state letter of /proc/<pid>/stat and the process group, or false if
// the process does not exist.
inline bool ReadProcStat(const std::filesystem::path& dir, char* state, long* group) {
  std::ifstream in(dir / "stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return false;
  std::istringstream fields(stat.substr(paren + 1));
  long ppid = 0;
  fields >> *state >> ppid >> *group;
  return static_cast<bool>(fields);
}

inline bool IsLive(char state) { return state != 'Z' && state != 'X'; }

inline int LiveProcessesInGroup(pid_t pgid) {
  int live = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    char state = 0;
    long group = 0;
    // A process that went away meanwhile reads as absent.
    if (ReadProcStat(entry.path(), &state, &group) && group == pgid && IsLive(state)) ++live;
  }
  return live;
}

// True if the group has no live process, allowing `grace` for SIGKILLed
// processes to finish dying.
inline bool GroupGone(pid_t pgid, std::chrono::milliseconds grace = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + grace;
  for (;;) {
    if (kill(-pgid, 0) != 0 && errno == ESRCH) return true;
    if (LiveProcessesInGroup(pgid) == 0) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// True if process `pid` is absent or a zombie, allowing `grace` to die.
inline bool ProcessGone(pid_t pid, std::chrono::milliseconds grace = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + grace;
  for (;;) {
    char state = 0;
    long group = 0;
    const auto dir = std::filesystem::path("/proc") / std::to_string(pid);
    if (!ReadProcStat(dir, &state, &group) || !IsLive(state)) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace cambrian::sandbox::testing

#endif  // CAMBRIAN_TESTS_SANDBOX_SANDBOX_TEST_UTIL_H_
