#include "sandbox/job_registry.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "sandbox/cgroup.h"

namespace cambrian::sandbox {
namespace {

namespace fs = std::filesystem;

std::atomic<uint64_t> g_next_record{0};

struct ParsedRecord {
  pid_t controller = 0;
  unsigned long long controller_start = 0;
  pid_t pgid = 0;
  unsigned long long pgid_start = 0;
  std::vector<fs::path> cgroups;
};

// Lines: "controller PID START", "cgroup PATH" (any number), "pgid PID START".
ParsedRecord Parse(const std::string& text) {
  ParsedRecord record;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    if (key == "controller") {
      fields >> record.controller >> record.controller_start;
    } else if (key == "pgid") {
      fields >> record.pgid >> record.pgid_start;
    } else if (key == "cgroup") {
      std::string path;
      std::getline(fields >> std::ws, path);
      if (!path.empty()) record.cgroups.emplace_back(path);
    }
  }
  return record;
}

bool Alive(pid_t pid, unsigned long long start) {
  return pid > 0 && start != 0 && ProcessStartTime(pid) == start;
}

absl::Status ReapOne(const fs::path& file) {
  absl::StatusOr<std::string> text = ReadFile(file);
  if (!text.ok()) return text.status();
  const ParsedRecord record = Parse(*text);
  if (Alive(record.controller, record.controller_start)) return absl::OkStatus();
  absl::Status status = absl::OkStatus();
  if (!KillAndRemoveCgroups(record.cgroups)) {
    status = absl::UnavailableError(
        absl::StrCat("sandbox: a leftover job's cgroup stays busy (", file.string(), ")"));
  }
  if (record.pgid > 0) {
    const unsigned long long now = ProcessStartTime(record.pgid);
    // A different process under the same number is not ours; a dead leader
    // may still have group members, and its number is not reused while the
    // group exists.
    if (now == 0 || now == record.pgid_start) kill(-record.pgid, SIGKILL);
  }
  std::error_code ec;
  fs::remove(file, ec);
  if (ec && status.ok())
    status = absl::InternalError(absl::StrCat("sandbox: remove ", file.string()));
  return status;
}

}  // namespace

unsigned long long ProcessStartTime(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  // Field 3 (state) is the first after the parenthesis; start time is 22.
  for (int i = 3; i < 22 && (fields >> field); ++i) {
  }
  unsigned long long start = 0;
  fields >> start;
  return start;
}

absl::StatusOr<std::unique_ptr<JobRecord>> JobRecord::Create(const fs::path& state_dir,
                                                             const std::vector<fs::path>& cgroups) {
  const pid_t self = getpid();
  std::string text = absl::StrCat("controller ", self, " ", ProcessStartTime(self), "\n");
  for (const fs::path& dir : cgroups) absl::StrAppend(&text, "cgroup ", dir.string(), "\n");
  fs::path path = state_dir / absl::StrCat("job-", self, "-", g_next_record.fetch_add(1));
  absl::Status written = WriteFile(path, text);
  if (!written.ok()) return written;
  return std::unique_ptr<JobRecord>(new JobRecord(std::move(path), std::move(text)));
}

JobRecord::~JobRecord() {
  std::error_code ec;
  fs::remove(path_, ec);
}

absl::Status JobRecord::SetProcessGroup(pid_t pgid) {
  absl::StrAppend(&text_, "pgid ", pgid, " ", ProcessStartTime(pgid), "\n");
  return WriteFile(path_, text_);
}

absl::Status ReapLeftoverJobs(const fs::path& state_dir) {
  std::error_code ec;
  if (!fs::exists(state_dir, ec)) {
    SweepDeadControllersCgroups(DetectCgroups());
    return absl::OkStatus();
  }
  absl::Status first = absl::OkStatus();
  for (const fs::directory_entry& entry : fs::directory_iterator(state_dir, ec)) {
    if (entry.path().filename().string().rfind("job-", 0) != 0) continue;
    absl::Status status = ReapOne(entry.path());
    if (first.ok()) first = status;
  }
  if (ec && first.ok()) {
    first = absl::InternalError(absl::StrCat("sandbox: cannot list ", state_dir.string()));
  }
  SweepDeadControllersCgroups(DetectCgroups());
  return first;
}

}  // namespace cambrian::sandbox
