#include "evaluator/lease_board.h"

#include "absl/strings/str_cat.h"
#include "common/token.h"

namespace cambrian::evaluator {

LeaseBoard::LeaseBoard(const Clock& clock, absl::Duration ttl, int max_expiries)
    : clock_(clock), ttl_(ttl), max_expiries_(max_expiries) {}

absl::StatusOr<Evaluation> LeaseBoard::Run(Work work, const std::atomic<bool>* cancel) {
  std::unique_lock lock(mutex_);
  const uint64_t ticket = next_ticket_++;
  if (auto early = early_.find(work.job + "\n" + work.request); early != early_.end()) {
    absl::StatusOr<Evaluation> evaluation = std::move(early->second);
    early_.erase(early);
    return evaluation;  // delivered by an earlier controller's worker
  }
  entries_[ticket].work = std::move(work);
  changed_.notify_all();
  while (true) {
    Entry& entry = entries_[ticket];
    if (entry.result) {
      absl::StatusOr<Evaluation> result = *std::move(entry.result);
      entries_.erase(ticket);
      return result;
    }
    if ((cancel != nullptr && cancel->load()) || closed_) {
      Evaluation killed;
      killed.outcome = Outcome::kKilled;
      killed.note = entry.lease.empty() ? "cancelled before a worker took it"
                                        : absl::StrCat("cancelled on worker ", entry.worker);
      entries_.erase(ticket);  // a heartbeat for its lease now says "gone"
      return killed;
    }
    changed_.wait_for(lock, std::chrono::milliseconds(200));
  }
}

std::optional<Lease> LeaseBoard::Take(const std::string& worker, absl::Duration wait) {
  std::unique_lock lock(mutex_);
  const auto until = std::chrono::steady_clock::now() + absl::ToChronoMilliseconds(wait);
  while (!closed_) {
    const absl::Time now = clock_.Now();
    for (auto& [ticket, entry] : entries_) {
      if (!entry.lease.empty() || entry.result) continue;
      if (auto held = held_.find(entry.work.job); held != held_.end() && held->second > now) {
        continue;
      }
      entry.lease = MakeToken();
      if (entry.lease.empty()) return std::nullopt;
      entry.worker = worker;
      entry.deadline = clock_.Now() + ttl_;
      return Lease{entry.lease, entry.work};
    }
    // Held work becomes free by the clock alone: look again within a second.
    const auto soon = std::min(until, std::chrono::steady_clock::now() + std::chrono::seconds(1));
    if (changed_.wait_until(lock, soon) == std::cv_status::timeout &&
        std::chrono::steady_clock::now() >= until) {
      break;
    }
  }
  return std::nullopt;
}

LeaseBoard::Entry* LeaseBoard::Find(const std::string& lease, const std::string& job,
                                    const std::string& request) {
  for (auto& [ticket, entry] : entries_) {
    if (!entry.result && !entry.lease.empty() && entry.lease == lease) return &entry;
  }
  // A lease of an earlier controller: its job, queued again with the same
  // request, is adopted instead of being run a second time.
  for (auto& [ticket, entry] : entries_) {
    if (!entry.result && entry.lease.empty() && entry.work.job == job &&
        entry.work.request == request) {
      entry.lease = lease;
      entry.worker = "(adopted)";
      return &entry;
    }
  }
  return nullptr;
}

absl::Status LeaseBoard::Heartbeat(const std::string& id, const std::string& job,
                                   const std::string& request) {
  std::lock_guard lock(mutex_);
  Entry* entry = Find(id, job, request);
  if (entry == nullptr && clock_.Now() < grace_until_) return absl::OkStatus();
  if (entry == nullptr) return absl::NotFoundError(absl::StrCat("no lease ", id));
  entry->deadline = clock_.Now() + ttl_;
  return absl::OkStatus();
}

absl::Status LeaseBoard::Deliver(const std::string& id, const std::string& job,
                                 const std::string& request,
                                 absl::StatusOr<Evaluation> evaluation) {
  std::lock_guard lock(mutex_);
  Entry* entry = Find(id, job, request);
  if (entry == nullptr && clock_.Now() < grace_until_) {
    early_.insert_or_assign(job + "\n" + request, std::move(evaluation));
    return absl::OkStatus();
  }
  if (entry == nullptr) return absl::NotFoundError(absl::StrCat("no lease ", id));
  entry->result = std::move(evaluation);
  changed_.notify_all();
  return absl::OkStatus();
}

void LeaseBoard::Grace(absl::Time until) {
  std::lock_guard lock(mutex_);
  grace_until_ = until;
}

void LeaseBoard::FailQueued(const absl::Status& error) {
  std::lock_guard lock(mutex_);
  for (auto& [ticket, entry] : entries_) {
    if (entry.lease.empty() && !entry.result) entry.result = error;
  }
  changed_.notify_all();
}

void LeaseBoard::Hold(const std::set<std::string>& jobs, absl::Time until) {
  std::lock_guard lock(mutex_);
  for (const std::string& job : jobs) held_[job] = until;
}

int LeaseBoard::Expire() {
  std::lock_guard lock(mutex_);
  const absl::Time now = clock_.Now();
  int expired = 0;
  for (auto& [ticket, entry] : entries_) {
    if (entry.lease.empty() || entry.result || entry.deadline > now) continue;
    ++expired;
    entry.lease.clear();
    if (++entry.expiries >= max_expiries_) {
      entry.result = absl::UnavailableError(
          absl::StrCat("evaluation ", entry.work.job, ": its worker stopped answering ",
                       entry.expiries, " times (last ", entry.worker, ")"));
    }
  }
  if (expired > 0) changed_.notify_all();
  return expired;
}

int LeaseBoard::queued() const {
  std::lock_guard lock(mutex_);
  int n = 0;
  for (const auto& [ticket, entry] : entries_) n += entry.lease.empty() && !entry.result;
  return n;
}

int LeaseBoard::leased() const {
  std::lock_guard lock(mutex_);
  int n = 0;
  for (const auto& [ticket, entry] : entries_) n += !entry.lease.empty() && !entry.result;
  return n;
}

void LeaseBoard::Close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

}  // namespace cambrian::evaluator
