#include "evaluator/slurm_client.h"

#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

extern char** environ;

namespace cambrian::evaluator {
namespace {

constexpr char kSqueueFormat[] = "%i|%j|%T|%r|%N";

// Reads both pipes until they close or `deadline`; false on the deadline.
bool Drain(int out_fd, int err_fd, absl::Time deadline, ToolOutput& output) {
  std::array<pollfd, 2> fds = {pollfd{out_fd, POLLIN, 0}, pollfd{err_fd, POLLIN, 0}};
  std::array<std::string*, 2> sinks = {&output.out, &output.err};
  int open = 2;
  char buffer[8192];
  while (open > 0) {
    const int64_t left = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (left <= 0) return false;
    if (poll(fds.data(), fds.size(), static_cast<int>(std::min<int64_t>(left, 1000))) < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t got = read(fds[i].fd, buffer, sizeof(buffer));
      if (got > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open;
      }
    }
  }
  return true;
}

// This process's user (squeue --me needs Slurm 20.11).
std::string UserName() {
  const passwd* entry = getpwuid(getuid());
  return entry != nullptr && entry->pw_name != nullptr ? entry->pw_name : std::to_string(getuid());
}

std::string FirstLine(const std::string& text) {
  std::string line(absl::StripAsciiWhitespace(text));
  return line.substr(0, line.find('\n'));
}

// Unavailable: COMMAND failed (exit N): the first line of what it said.
absl::Status Failed(const char* command, int exit_code, const std::string& said) {
  return absl::UnavailableError(
      absl::StrCat(command, " failed (exit ", exit_code, "): ", FirstLine(said)));
}

}  // namespace

absl::StatusOr<ToolOutput> RunTool(const std::vector<std::string>& argv, absl::Duration timeout) {
  if (argv.empty()) return absl::InvalidArgumentError("no command to run");
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return absl::InternalError("pipe failed");
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return absl::InternalError("pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  ToolOutput output;
  const bool finished =
      spawned == 0 && Drain(out_pipe[0], err_pipe[0], absl::Now() + timeout, output);
  close(out_pipe[0]);
  close(err_pipe[0]);
  if (spawned != 0) {
    return absl::InternalError(absl::StrCat("cannot run ", argv[0], ": ", strerror(spawned)));
  }
  if (!finished) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  output.exit_code = finished && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (!finished) absl::StrAppend(&output.err, "(killed after ", absl::FormatDuration(timeout), ")");
  return output;
}

std::vector<SlurmJobState> ParseSqueue(const std::string& out) {
  std::vector<SlurmJobState> jobs;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipWhitespace())) {
    std::vector<std::string> fields = absl::StrSplit(absl::StripAsciiWhitespace(line), '|');
    if (fields.size() != 5 || fields[0].empty() || fields[2].empty()) continue;
    jobs.push_back({fields[0], fields[1], fields[2], fields[3], fields[4]});
  }
  return jobs;
}

absl::StatusOr<ToolOutput> CliSlurmClient::Run(const std::vector<std::string>& argv) const {
  absl::StatusOr<ToolOutput> output = RunTool(argv, timeout_);
  if (!output.ok()) return absl::UnavailableError(output.status().message());
  return output;
}

absl::StatusOr<std::string> CliSlurmClient::Submit(const std::filesystem::path& script,
                                                   const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"sbatch", "--parsable"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(script.string());
  absl::StatusOr<ToolOutput> output = Run(argv);
  if (!output.ok()) return output.status();
  // --parsable prints "ID" or "ID;CLUSTER".
  const std::string first = FirstLine(output->out);
  const std::string id = first.substr(0, first.find(';'));
  if (output->exit_code != 0 || id.empty() || !absl::c_all_of(id, absl::ascii_isdigit)) {
    return Failed("sbatch", output->exit_code, output->err + output->out);
  }
  return id;
}

absl::StatusOr<std::map<std::string, SlurmJobState>> CliSlurmClient::Query(
    const std::vector<std::string>& ids) {
  std::map<std::string, SlurmJobState> states;
  if (ids.empty()) return states;
  absl::StatusOr<ToolOutput> output = Run({"squeue", "--noheader", "--states=all", "--jobs",
                                           absl::StrJoin(ids, ","), "--format", kSqueueFormat});
  if (!output.ok()) return output.status();
  if (output->exit_code != 0) {
    // One id Slurm no longer knows makes squeue fail rather than print nothing.
    if (ids.size() == 1 && absl::StrContains(output->err, "Invalid job id")) return states;
    return Failed("squeue", output->exit_code, output->err);
  }
  for (SlurmJobState& job : ParseSqueue(output->out)) {
    // A job array's or a requeued job's lines share the id: keep the last.
    std::string id = job.id;
    states[id] = std::move(job);
  }
  return states;
}

absl::StatusOr<std::vector<SlurmJobState>> CliSlurmClient::Named(const std::string& prefix) {
  absl::StatusOr<ToolOutput> output = Run(
      {"squeue", "--noheader", "--states=all", "--user", UserName(), "--format", kSqueueFormat});
  if (!output.ok()) return output.status();
  if (output->exit_code != 0) {
    return Failed("squeue", output->exit_code, output->err);
  }
  std::vector<SlurmJobState> jobs;
  for (SlurmJobState& job : ParseSqueue(output->out)) {
    if (absl::StartsWith(job.name, prefix)) jobs.push_back(std::move(job));
  }
  return jobs;
}

absl::Status CliSlurmClient::Cancel(const std::vector<std::string>& ids) {
  if (ids.empty()) return absl::OkStatus();
  std::vector<std::string> argv = {"scancel"};
  argv.insert(argv.end(), ids.begin(), ids.end());
  absl::StatusOr<ToolOutput> output = Run(argv);
  if (!output.ok()) return output.status();
  // scancel of a job that already ended is not a failure worth stopping for.
  if (output->exit_code != 0 && !absl::StrContains(output->err, "already completing") &&
      !absl::StrContains(output->err, "Invalid job id")) {
    return Failed("scancel", output->exit_code, output->err);
  }
  return absl::OkStatus();
}

}  // namespace cambrian::evaluator
