// A std::map-backed Archive for tests of the layers above the archive. Same
// contract as SqliteArchive (archive/archive.h): the same input checks
// (archive/archive_checks.h), program dedup by hash, ids 1, 2, 3, ...,
// best_first ordering by the run's goal, the LLM call rules (response cache,
// billed totals). Nothing is persisted. Thread-safe.
// Header-only; link cambrian_archive for the shared checks.
#ifndef CAMBRIAN_TESTS_TESTING_IN_MEMORY_ARCHIVE_H_
#define CAMBRIAN_TESTS_TESTING_IN_MEMORY_ARCHIVE_H_

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "archive/archive.h"
#include "archive/archive_checks.h"
#include "common/clock.h"
#include "common/status_macros.h"

namespace cambrian::testing {

class InMemoryArchive : public archive::Archive {
 public:
  // `clock` stamps created_at/finished_at/event times; null means the system
  // clock. If given it must outlive the archive.
  explicit InMemoryArchive(const Clock* clock = nullptr)
      : clock_(clock != nullptr ? clock : &system_clock_) {}

  absl::Status SetRunInfo(const archive::RunInfo& info) override {
    CAMBRIAN_RETURN_IF_ERROR(archive::CheckRunInfo(info));
    std::lock_guard lock(mu_);
    if (run_.has_value()) return absl::AlreadyExistsError("the run info is already set");
    run_ = info;
    return absl::OkStatus();
  }

  absl::StatusOr<archive::RunInfo> GetRunInfo() override {
    std::lock_guard lock(mu_);
    if (!run_.has_value()) return absl::NotFoundError("the run info is not set yet");
    return *run_;
  }

  absl::StatusOr<std::string> PutProgram(const Program& program) override {
    std::string hash = ProgramHash(program);
    std::lock_guard lock(mu_);
    programs_.emplace(hash, program);
    return hash;
  }

  absl::StatusOr<Program> GetProgram(const std::string& hash) override {
    std::lock_guard lock(mu_);
    auto it = programs_.find(hash);
    if (it == programs_.end())
      return absl::NotFoundError(absl::StrCat("no program with hash ", hash));
    return it->second;
  }

  absl::StatusOr<std::optional<int64_t>> FindCandidateByProgram(
      const std::string& program_hash) override {
    std::lock_guard lock(mu_);
    return FindLocked(program_hash);
  }

  absl::StatusOr<int64_t> AddCandidate(const archive::NewCandidate& candidate) override {
    CAMBRIAN_RETURN_IF_ERROR(archive::CheckNewCandidate(candidate));
    std::lock_guard lock(mu_);
    if (!programs_.contains(candidate.program_hash)) {
      return absl::FailedPreconditionError(
          absl::StrCat("program ", candidate.program_hash, " is not stored; PutProgram it first"));
    }
    if (std::optional<int64_t> taken = FindLocked(candidate.program_hash)) {
      return absl::AlreadyExistsError(
          absl::StrCat("program ", candidate.program_hash, " is already candidate ", *taken));
    }
    for (const auto& parent : {candidate.parent_id, candidate.second_parent_id}) {
      if (parent.has_value() && !candidates_.contains(*parent)) {
        return absl::InvalidArgumentError(
            absl::StrCat("parent id ", *parent, " names no candidate"));
      }
    }
    if (candidate.llm_call_id.has_value() &&
        (*candidate.llm_call_id > static_cast<int64_t>(llm_calls_.size()))) {
      return absl::InvalidArgumentError(
          absl::StrCat("llm call id ", *candidate.llm_call_id, " names no LLM call"));
    }
    archive::Candidate stored;
    stored.id = next_id_++;
    stored.parent_id = candidate.parent_id;
    stored.second_parent_id = candidate.second_parent_id;
    stored.program_hash = candidate.program_hash;
    stored.mutator = candidate.mutator;
    stored.description = candidate.description;
    stored.island = candidate.island;
    stored.status = candidate.status;
    stored.llm_call_id = candidate.llm_call_id;
    stored.created_at = clock_->Now();
    candidates_[stored.id] = stored;
    return stored.id;
  }

  absl::Status FinishCandidate(int64_t id, const archive::CandidateResult& result) override {
    CAMBRIAN_RETURN_IF_ERROR(archive::CheckCandidateResult(result));
    std::lock_guard lock(mu_);
    CAMBRIAN_ASSIGN_OR_RETURN(archive::Candidate * candidate, MutableNotDone(id));
    candidate->status = archive::CandidateStatus::kDone;
    candidate->outcome = result.outcome;
    candidate->metrics = result.metrics;
    candidate->fitness = result.fitness;
    candidate->objectives = result.objectives;
    candidate->feedback = result.feedback;
    candidate->finished_at = clock_->Now();
    stages_[id] = result.stages;
    if (!result.run_state.empty()) run_state_ = result.run_state;
    return absl::OkStatus();
  }

  absl::Status SetRunState(const std::string& state_json) override {
    CAMBRIAN_RETURN_IF_ERROR(archive::CheckRunState(state_json));
    std::lock_guard lock(mu_);
    run_state_ = state_json;
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<std::string>> GetRunState() override {
    std::lock_guard lock(mu_);
    return run_state_;
  }

  absl::Status SetCandidateStatus(int64_t id, archive::CandidateStatus status) override {
    CAMBRIAN_RETURN_IF_ERROR(archive::CheckStatusChange(status));
    std::lock_guard lock(mu_);
    CAMBRIAN_ASSIGN_OR_RETURN(archive::Candidate * candidate, MutableNotDone(id));
    candidate->status = status;
    return absl::OkStatus();
  }

  absl::StatusOr<archive::Candidate> GetCandidate(int64_t id) override {
    std::lock_guard lock(mu_);
    auto it = candidates_.find(id);
    if (it == candidates_.end())
      return absl::NotFoundError(absl::StrCat("no candidate with id ", id));
    return it->second;
  }

  absl::StatusOr<std::vector<archive::Candidate>> ListCandidates(
      const archive::ListOptions& options) override {
    if (options.limit.has_value()) CAMBRIAN_RETURN_IF_ERROR(archive::CheckLimit(*options.limit));
    std::lock_guard lock(mu_);
    std::vector<archive::Candidate> list;
    for (const auto& [id, candidate] : candidates_) {
      if (!options.scored_only || candidate.fitness.has_value()) list.push_back(candidate);
    }
    if (options.best_first) {
      const bool minimize = run_.has_value() && run_->goal == "minimize";
      std::stable_sort(list.begin(), list.end(),
                       [minimize](const archive::Candidate& a, const archive::Candidate& b) {
                         if (a.fitness.has_value() != b.fitness.has_value())
                           return a.fitness.has_value();
                         if (!a.fitness.has_value() || *a.fitness == *b.fitness)
                           return false;  // keep id order
                         return minimize ? *a.fitness < *b.fitness : *a.fitness > *b.fitness;
                       });
    }
    if (options.limit.has_value() && list.size() > static_cast<size_t>(*options.limit)) {
      list.resize(static_cast<size_t>(*options.limit));
    }
    return list;
  }

  absl::StatusOr<int64_t> CountCandidates() override {
    std::lock_guard lock(mu_);
    return static_cast<int64_t>(candidates_.size());
  }

  absl::StatusOr<std::vector<archive::StageRecord>> GetStages(int64_t id) override {
    std::lock_guard lock(mu_);
    if (!candidates_.contains(id)) {
      return absl::NotFoundError(absl::StrCat("no candidate with id ", id));
    }
    auto it = stages_.find(id);
    return it == stages_.end() ? std::vector<archive::StageRecord>() : it->second;
  }

  absl::Status AddEvent(const std::string& kind, const std::string& data_json) override {
    CAMBRIAN_RETURN_IF_ERROR(archive::CheckEvent(kind, data_json));
    std::lock_guard lock(mu_);
    events_.push_back(archive::Event{.id = static_cast<int64_t>(events_.size()) + 1,
                                     .time = clock_->Now(),
                                     .kind = kind,
                                     .data_json = data_json});
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<archive::Event>> ListEvents(int limit) override {
    CAMBRIAN_RETURN_IF_ERROR(archive::CheckLimit(limit));
    std::lock_guard lock(mu_);
    const size_t first = events_.size() - std::min(events_.size(), static_cast<size_t>(limit));
    return std::vector<archive::Event>(events_.begin() + static_cast<std::ptrdiff_t>(first),
                                       events_.end());
  }

  absl::StatusOr<int64_t> AddLlmCall(const archive::LlmCall& call) override {
    CAMBRIAN_RETURN_IF_ERROR(archive::CheckLlmCall(call));
    std::lock_guard lock(mu_);
    if (call.parent_id.has_value() && !candidates_.contains(*call.parent_id)) {
      return absl::InvalidArgumentError(
          absl::StrCat("parent id ", *call.parent_id, " names no candidate"));
    }
    archive::LlmCall stored = call;
    stored.id = static_cast<int64_t>(llm_calls_.size()) + 1;
    stored.time = clock_->Now();
    llm_calls_.push_back(std::move(stored));
    return llm_calls_.back().id;
  }

  absl::StatusOr<archive::LlmCall> GetLlmCall(int64_t id) override {
    std::lock_guard lock(mu_);
    if (id < 1 || id > static_cast<int64_t>(llm_calls_.size())) {
      return absl::NotFoundError(absl::StrCat("no LLM call with id ", id));
    }
    return llm_calls_[static_cast<size_t>(id - 1)];
  }

  absl::StatusOr<std::optional<std::string>> FindLlmResponse(
      const std::string& model, const std::string& prompt_hash) override {
    std::lock_guard lock(mu_);
    for (auto it = llm_calls_.rbegin(); it != llm_calls_.rend(); ++it) {
      if (it->model == model && it->prompt_hash == prompt_hash && !it->response.empty() &&
          archive::IsReusableLlmOutcome(it->outcome)) {
        return std::optional<std::string>(it->response);
      }
    }
    return std::optional<std::string>();
  }

  absl::StatusOr<archive::LlmTotals> GetLlmTotals() override {
    std::lock_guard lock(mu_);
    archive::LlmTotals totals;
    std::set<int64_t> linked;
    for (const auto& [id, candidate] : candidates_) {
      if (candidate.llm_call_id) linked.insert(*candidate.llm_call_id);
    }
    for (const archive::LlmCall& call : llm_calls_) {
      ++totals.outcomes[call.outcome];
      if (call.outcome == "ok" && !linked.count(call.id)) ++totals.unevaluated;
      if (!archive::IsBilledLlmOutcome(call.outcome)) continue;
      ++totals.calls;
      totals.input_tokens += call.input_tokens;
      totals.output_tokens += call.output_tokens;
      totals.cost_usd += call.cost_usd;
    }
    return totals;
  }

  absl::StatusOr<std::vector<archive::LlmCall>> ListLlmCalls(int limit) override {
    CAMBRIAN_RETURN_IF_ERROR(archive::CheckLimit(limit));
    std::lock_guard lock(mu_);
    const size_t first =
        llm_calls_.size() - std::min(llm_calls_.size(), static_cast<size_t>(limit));
    return std::vector<archive::LlmCall>(llm_calls_.begin() + static_cast<std::ptrdiff_t>(first),
                                         llm_calls_.end());
  }

 private:
  std::optional<int64_t> FindLocked(const std::string& program_hash) const {
    for (const auto& [id, candidate] : candidates_) {
      if (candidate.program_hash == program_hash) return id;
    }
    return std::nullopt;
  }

  absl::StatusOr<archive::Candidate*> MutableNotDone(int64_t id) {
    auto it = candidates_.find(id);
    if (it == candidates_.end())
      return absl::NotFoundError(absl::StrCat("no candidate with id ", id));
    if (it->second.status == archive::CandidateStatus::kDone) {
      return absl::FailedPreconditionError(absl::StrCat("candidate ", id, " is already done"));
    }
    return &it->second;
  }

  const SystemClock system_clock_;
  const Clock* const clock_;
  std::mutex mu_;
  std::optional<archive::RunInfo> run_;
  std::map<std::string, Program> programs_;
  std::map<int64_t, archive::Candidate> candidates_;
  std::map<int64_t, std::vector<archive::StageRecord>> stages_;
  std::vector<archive::Event> events_;
  std::optional<std::string> run_state_;
  std::vector<archive::LlmCall> llm_calls_;  // llm_calls_[i].id == i + 1
  int64_t next_id_ = 1;
};

}  // namespace cambrian::testing

#endif  // CAMBRIAN_TESTS_TESTING_IN_MEMORY_ARCHIVE_H_
