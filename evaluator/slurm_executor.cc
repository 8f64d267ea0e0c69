#include "evaluator/slurm_executor.h"

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/log.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "common/untrusted_text.h"
#include "evaluator/evaluation_json.h"

namespace cambrian::evaluator {
namespace fs = std::filesystem;

namespace {

constexpr char kForgotten[] = "FORGOTTEN";  // our name: Slurm no longer knows the job
constexpr int64_t kMemoryMarginMiB = 512;   // for `cambrian eval` itself

bool Ended(const std::string& state) {
  for (const char* end : {"COMPLETED", "FAILED", "TIMEOUT", "OUT_OF_MEMORY", "CANCELLED",
                          "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE", kForgotten}) {
    if (state == end) return true;
  }
  return false;
}

// Ends that are the cluster's doing, not the candidate's: run it again.
bool Resubmit(const std::string& state) {
  return state == "NODE_FAIL" || state == "PREEMPTED" || state == "BOOT_FAIL" ||
         state == "DEADLINE" || state == kForgotten;
}

// Slurm ids grow: a longer id, or a larger one of the same length, is later.
bool LaterId(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() > b.size() : a > b;
}

std::string Tail(const fs::path& file) {
  absl::StatusOr<std::string> text = ReadFile(file);
  if (!text.ok()) return "(no output)";
  return EscapeControl(TruncateFrontWithMark(*text, 2048, "output"));
}

}  // namespace

struct SlurmExecutor::Watch {
  SlurmJobState state;
  absl::Time since = absl::Now();  // submitted or adopted
  int missing = 0;                 // polls in a row that did not list it
  std::string error;               // the poller gave up on squeue
};

struct SlurmExecutor::Attempt {
  std::string id;
  SlurmJobState state;
  bool cancelled = false;  // by Cambrian
};

SlurmExecutor::SlurmExecutor(SlurmClient& client, SlurmOptions options, SlurmJobPlan plan)
    : client_(client),
      options_(std::move(options)),
      plan_(std::move(plan)),
      poller_([this] { PollLoop(); }) {}

SlurmExecutor::~SlurmExecutor() {
  std::vector<std::string> unclaimed;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (const auto& [job, id] : adopted_) unclaimed.push_back(id);
  }
  changed_.notify_all();
  poller_.join();
  // Re-attached jobs the run stopped before asking for.
  if (!unclaimed.empty()) (void)client_.Cancel(unclaimed);
}

std::string SlurmJobName(const fs::path& jobs_root, const std::string& job) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(jobs_root, ec);
  if (ec) canonical = fs::absolute(jobs_root);
  return absl::StrCat("cambrian-", Sha256Hex(canonical.string()).substr(0, 8), "-", job);
}

std::string SlurmExecutor::SlurmName(const std::string& job_name) const {
  return SlurmJobName(plan_.jobs_root, job_name);
}

std::vector<std::string> ResourceArgs(const SlurmOptions& options, const ResourceSpec& resources) {
  std::vector<std::string> args = {
      // The controller's environment (API keys included) stays behind.
      "--export=PATH,LD_LIBRARY_PATH,LANG,LC_ALL,HOME",
      "--ntasks=1",
      absl::StrCat("--cpus-per-task=", std::max(1, resources.cpus)),
  };
  if (resources.memory_bytes > 0) {
    args.push_back(absl::StrCat("--mem=", (resources.memory_bytes >> 20) + kMemoryMarginMiB, "M"));
  }
  if (!options.gres.empty()) {
    args.push_back("--gres=" + options.gres);
  } else if (resources.gpus > 0) {
    args.push_back(absl::StrCat("--gres=gpu:", resources.gpus));
  }
  if (!options.partition.empty()) args.push_back("--partition=" + options.partition);
  if (!options.account.empty()) args.push_back("--account=" + options.account);
  if (!options.qos.empty()) args.push_back("--qos=" + options.qos);
  if (!options.constraint.empty()) args.push_back("--constraint=" + options.constraint);
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  return args;
}

std::string SlurmMinutes(absl::Duration limit) {
  return absl::StrCat(std::max<int64_t>(1, absl::ToInt64Seconds(limit + absl::Seconds(59)) / 60));
}

std::vector<std::string> SlurmExecutor::SbatchArgs(const std::string& job_name) const {
  const fs::path dir = plan_.jobs_root / job_name;
  absl::Duration limit = options_.time_limit;
  if (limit <= absl::ZeroDuration()) limit = plan_.work_time + absl::Minutes(5);
  std::vector<std::string> args = {
      absl::StrCat("--job-name=", SlurmName(job_name)),
      absl::StrCat("--output=", (dir / "slurm.out").string()),
      absl::StrCat("--chdir=", dir.string()),
      absl::StrCat("--time=", SlurmMinutes(limit)),
  };
  std::vector<std::string> resources = ResourceArgs(options_, plan_.resources);
  args.insert(args.end(), resources.begin(), resources.end());
  return args;
}

absl::StatusOr<std::string> SlurmExecutor::Submit(const std::string& job_name) const {
  const fs::path dir = plan_.jobs_root / job_name;
  std::error_code ec;
  fs::remove(dir / "result.json", ec);
  absl::StatusOr<std::string> id = client_.Submit(dir / "job.sh", SbatchArgs(job_name));
  if (!id.ok()) return Annotate(id.status(), absl::StrCat("submitting ", job_name, " to Slurm"));
  CAMBRIAN_RETURN_IF_ERROR(WriteFile(dir / "job_id", *id + "\n"));
  return id;
}

absl::StatusOr<SlurmExecutor::Attempt> SlurmExecutor::Follow(
    const std::string& job_name, const std::string& id, const std::atomic<bool>* cancel) const {
  std::unique_lock lock(mutex_);
  watches_[id] = Watch{};
  changed_.notify_all();  // the poller has a new job to ask about
  Attempt attempt{id, {}, false};
  absl::Time cancelled_at;
  while (true) {
    Watch& watch = watches_[id];
    attempt.state = watch.state;
    if (!watch.error.empty()) {
      watches_.erase(id);
      return absl::UnavailableError(
          absl::StrCat("following Slurm job ", id, " (", job_name, "): ", watch.error));
    }
    const bool stop = cancel != nullptr && cancel->load();
    if (Ended(watch.state.state) ||
        (attempt.cancelled && absl::Now() - cancelled_at > absl::Seconds(60))) {
      break;
    }
    if (stop && !attempt.cancelled) {
      lock.unlock();
      absl::Status cancelled = client_.Cancel({id});
      if (!cancelled.ok()) LogWarning(std::string(cancelled.message()));
      lock.lock();
      attempt.cancelled = true;
      cancelled_at = absl::Now();
      continue;
    }
    if (watch.state.state == "PENDING" && absl::Now() - watch.since > options_.pending_limit) {
      const std::string reason = watch.state.reason;
      watches_.erase(id);
      lock.unlock();
      (void)client_.Cancel({id});
      return absl::FailedPreconditionError(
          absl::StrCat("Slurm job ", id, " (", job_name, ") was still pending after ",
                       absl::FormatDuration(options_.pending_limit), " (Slurm's reason: ", reason,
                       "); cancelled. Check the partition, account and resources (docs/slurm.md)"));
    }
    changed_.wait_for(lock, std::chrono::seconds(1));
  }
  watches_.erase(id);
  return attempt;
}

absl::StatusOr<std::string> SlurmExecutor::ReadResult(const fs::path& dir) const {
  const absl::Time give_up = absl::Now() + options_.result_wait;
  while (true) {
    // Listing the directory makes an NFS client look again (its cache may
    // still say the file, removed before the submission, is absent).
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
    }
    absl::StatusOr<std::string> text = ReadFile(dir / "result.json");
    if (text.ok() || absl::Now() >= give_up) return text;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

absl::StatusOr<Evaluation> SlurmExecutor::Conclude(const std::string& job_name,
                                                   const Attempt& attempt) const {
  const fs::path dir = plan_.jobs_root / job_name;
  const SlurmJobState& job = attempt.state;
  const std::string where = absl::StrCat("Slurm job ", attempt.id, " (", job_name, ")",
                                         job.nodes.empty() ? "" : " on " + job.nodes);
  Evaluation evaluation;
  if (attempt.cancelled || job.state == "CANCELLED") {
    evaluation.outcome = Outcome::kKilled;
    evaluation.note = absl::StrCat(where, attempt.cancelled ? " cancelled as the run stopped"
                                                            : " was cancelled outside Cambrian");
    return evaluation;
  }
  if (job.state == "TIMEOUT") {
    evaluation.outcome = Outcome::kTimeout;
    evaluation.note = absl::StrCat(where, " reached its Slurm time limit");
    return evaluation;
  }
  if (job.state == "OUT_OF_MEMORY") {
    evaluation.outcome = Outcome::kMemoryLimit;
    evaluation.note = absl::StrCat(where, " ran out of its Slurm memory");
    return evaluation;
  }
  absl::StatusOr<std::string> text = ReadResult(dir);
  if (!text.ok()) {
    return absl::InternalError(absl::StrCat(where, " ended ", job.state,
                                            " without a result; its output ends:\n",
                                            Tail(dir / "slurm.out")));
  }
  absl::StatusOr<Evaluation> result = EvaluationFromJson(*text);
  if (!result.ok()) return Annotate(result.status(), (dir / "result.json").string());
  return result;
}

absl::StatusOr<Evaluation> SlurmExecutor::Evaluate(const Program& program,
                                                   const std::string& job_name, uint64_t seed,
                                                   const std::atomic<bool>* cancel,
                                                   const std::optional<std::vector<int>>&) const {
  if (job_name.empty() || job_name.find('/') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("bad job name '", job_name, "'"));
  }
  const fs::path dir = plan_.jobs_root / job_name;
  const std::string request = RequestOf(seed, program) + "\n";
  std::string id, stale;
  {
    std::lock_guard lock(mutex_);
    if (auto it = adopted_.find(job_name); it != adopted_.end()) {
      if (ReadFile(dir / "request").value_or("") == request) {
        id = it->second;
      } else {
        stale = it->second;
      }
      adopted_.erase(it);
    }
  }
  if (!stale.empty()) (void)client_.Cancel({stale});  // a job for another request
  if (id.empty()) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    CAMBRIAN_RETURN_IF_ERROR(WriteProgramTree(dir / "program", program));
    CAMBRIAN_RETURN_IF_ERROR(WriteFile(dir / "request", request));
    CAMBRIAN_RETURN_IF_ERROR(WriteFile(dir / "job.sh", Script(job_name, seed)));
  }
  for (int resubmits = 0;; ++resubmits) {
    if (id.empty()) {
      CAMBRIAN_ASSIGN_OR_RETURN(id, Submit(job_name));
    }
    CAMBRIAN_ASSIGN_OR_RETURN(Attempt attempt, Follow(job_name, id, cancel));
    // Slurm forgot it (MinJobAge) after it wrote its result: it completed.
    if (attempt.state.state == kForgotten && fs::exists(dir / "result.json")) {
      attempt.state.state = "COMPLETED";
    }
    if (attempt.cancelled || !Resubmit(attempt.state.state)) {
      absl::StatusOr<Evaluation> evaluation = Conclude(job_name, attempt);
      std::error_code ec;
      if (evaluation.ok() && !plan_.keep_job_dirs) fs::remove_all(dir, ec);
      return evaluation;
    }
    const std::string what = absl::StrCat("Slurm job ", id, " (", job_name, ") ended ",
                                          attempt.state.state, " on ", attempt.state.nodes);
    if (resubmits >= options_.max_resubmits) {
      return absl::UnavailableError(
          absl::StrCat(what, "; submitted ", resubmits + 1, " times, giving up"));
    }
    LogWarning(absl::StrCat(what, ": not the candidate's doing, submitting it again"));
    (void)client_.Cancel({id});  // in case Slurm requeues it as well
    id.clear();
  }
}

std::string BatchScript(const SlurmJobPlan& plan, const std::string& what,
                        const std::string& subcommand, const std::string& head,
                        const std::string& tail) {
  std::string command = absl::StrCat("exec ", ShellQuote(plan.cambrian.string()), " ", subcommand,
                                     " ", ShellQuote(plan.task_dir.string()), " ", head,
                                     " --sandbox ", ShellQuote(plan.sandbox), " ", tail);
  if (!plan.profile.empty()) absl::StrAppend(&command, " --profile ", ShellQuote(plan.profile));
  return absl::StrCat("#!/bin/sh\n# Cambrian ", what,
                      " (docs/slurm.md). Written by the controller.\n", command, "\n");
}

std::string SlurmExecutor::Script(const std::string& job_name, uint64_t seed) const {
  const fs::path dir = plan_.jobs_root / job_name;
  return BatchScript(
      plan_, "evaluation " + job_name, "eval",
      absl::StrCat("--exact-program ", ShellQuote((dir / "program").string()), " --seed ", seed),
      "--result " + ShellQuote((dir / "result.json").string()));
}

void SlurmExecutor::Resuming(const std::set<std::string>& wanted_jobs) const {
  const std::string prefix = SlurmName("");
  absl::StatusOr<std::vector<SlurmJobState>> jobs = client_.Named(prefix);
  if (!jobs.ok()) {
    LogWarning(absl::StrCat("cannot list this run's Slurm jobs to re-attach to them: ",
                            jobs.status().message()));
    return;
  }
  std::vector<std::string> unwanted;
  std::lock_guard lock(mutex_);
  for (const SlurmJobState& job : *jobs) {
    const std::string name = job.name.substr(prefix.size());
    const bool failed = Resubmit(job.state) || job.state == "CANCELLED";
    if (wanted_jobs.count(name) > 0 && !failed && fs::exists(plan_.jobs_root / name / "request")) {
      // Several jobs of one name: the latest submission wins; the others go.
      auto [it, first] = adopted_.try_emplace(name, job.id);
      if (!first) {
        std::string older = job.id;
        if (LaterId(job.id, it->second)) std::swap(older, it->second);
        unwanted.push_back(older);
      }
      continue;
    }
    if (!Ended(job.state)) unwanted.push_back(job.id);
  }
  if (!adopted_.empty()) {
    LogInfo(absl::StrCat("re-attached to ", adopted_.size(), " Slurm job(s) of this run"));
  }
  if (unwanted.empty()) return;
  LogInfo(absl::StrCat("cancelling ", unwanted.size(), " Slurm job(s) this run no longer wants"));
  if (absl::Status cancelled = client_.Cancel(unwanted); !cancelled.ok()) {
    LogWarning(std::string(cancelled.message()));
  }
}

void SlurmExecutor::PollLoop() {
  absl::Duration interval = options_.poll_min;
  std::optional<absl::Time> failing_since;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    std::vector<std::string> ids;
    for (const auto& [id, watch] : watches_) {
      if (!Ended(watch.state.state) && watch.error.empty()) ids.push_back(id);
    }
    if (ids.empty()) {
      interval = options_.poll_min;
      changed_.wait(lock);
      continue;
    }
    lock.unlock();
    absl::StatusOr<std::map<std::string, SlurmJobState>> states = client_.Query(ids);
    lock.lock();
    bool news = false;
    if (!states.ok()) {
      if (!failing_since) failing_since = absl::Now();
      if (absl::Now() - *failing_since > absl::Minutes(5)) {
        for (const std::string& id : ids) {
          if (auto it = watches_.find(id); it != watches_.end()) {
            it->second.error = std::string(states.status().message());
          }
        }
        news = true;
      }
    } else {
      failing_since.reset();
      news = Absorb(ids, *states);
    }
    interval = news ? options_.poll_min : std::min(interval * 1.5, options_.poll_max);
    if (news) changed_.notify_all();
    changed_.wait_for(lock, absl::ToChronoMilliseconds(interval));
  }
}

bool SlurmExecutor::Absorb(const std::vector<std::string>& ids,
                           const std::map<std::string, SlurmJobState>& states) const {
  bool news = false;
  for (const std::string& id : ids) {
    auto it = watches_.find(id);
    if (it == watches_.end()) continue;
    Watch& watch = it->second;
    auto state = states.find(id);
    if (state == states.end()) {
      // Slurm forgets ended jobs after MinJobAge; twice unlisted is gone.
      if (++watch.missing >= 2) {
        watch.state.state = kForgotten;
        news = true;
      }
      continue;
    }
    watch.missing = 0;
    if (state->second.state != watch.state.state) news = true;
    if (state->second.state == "PENDING" && watch.state.state != "PENDING") {
      watch.since = absl::Now();  // requeued: its pending time starts again
    }
    watch.state = state->second;
  }
  return news;
}

}  // namespace cambrian::evaluator
