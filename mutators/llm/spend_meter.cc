#include "mutators/llm/spend_meter.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace cambrian::mutators {
namespace {

// Prices are sums of products of doubles; a cap that a run meets exactly
// must not be "crossed" by the last bit of rounding.
constexpr double kCostTolerance = 1e-9;

std::string Usd(double amount) {
  // Cents for dollars, more digits for the sub-cent costs of single calls.
  return amount >= 1 ? absl::StrFormat("$%.2f", amount) : absl::StrFormat("$%.4f", amount);
}

std::string InFlight(size_t calls) { return absl::StrCat(calls, calls == 1 ? " call" : " calls"); }

}  // namespace

SpendMeter::SpendMeter(SpendCaps caps, Spend already) : caps_(caps), settled_(already) {}

SpendMeter::Reservation SpendMeter::OpenTotal() const {
  Reservation total{0, 0};
  // Summed afresh each time (a handful of calls in flight) rather than kept
  // as a running total, so adding and removing doubles cannot drift.
  for (const auto& [ticket, reservation] : open_) {
    total.tokens += reservation.tokens;
    total.cost_usd += reservation.cost_usd;
  }
  return total;
}

absl::StatusOr<int64_t> SpendMeter::Reserve(int64_t tokens, double cost_usd) {
  if (tokens < 0 || !(cost_usd >= 0) || !std::isfinite(cost_usd)) {
    return absl::InvalidArgumentError(
        absl::StrCat("an LLM call cannot reserve ", tokens, " tokens and ", cost_usd, " dollars"));
  }
  absl::MutexLock lock(&mutex_);
  const Reservation open = OpenTotal();
  if (caps_.max_cost_usd.has_value() &&
      settled_.cost_usd + open.cost_usd + cost_usd > *caps_.max_cost_usd + kCostTolerance) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "LLM cost cap ", Usd(*caps_.max_cost_usd), " would be crossed: spent ",
        Usd(settled_.cost_usd), ", ", Usd(open.cost_usd), " reserved by ", InFlight(open_.size()),
        " in flight, this call may cost up to ", Usd(cost_usd)));
  }
  const int64_t used = settled_.input_tokens + settled_.output_tokens;
  if (caps_.max_tokens.has_value() && used + open.tokens + tokens > *caps_.max_tokens) {
    return absl::ResourceExhaustedError(
        absl::StrCat("LLM token cap ", *caps_.max_tokens, " would be crossed: used ", used,
                     " tokens, ", open.tokens, " reserved by ", InFlight(open_.size()),
                     " in flight, this call may use up to ", tokens));
  }
  const int64_t ticket = next_ticket_++;
  open_[ticket] = Reservation{tokens, cost_usd};
  return ticket;
}

void SpendMeter::Settle(int64_t ticket, const Spend& used) {
  absl::MutexLock lock(&mutex_);
  open_.erase(ticket);
  settled_.input_tokens += used.input_tokens;
  settled_.output_tokens += used.output_tokens;
  settled_.cost_usd += used.cost_usd;
  ++settled_.calls;
}

void SpendMeter::Cancel(int64_t ticket) {
  absl::MutexLock lock(&mutex_);
  open_.erase(ticket);
}

Spend SpendMeter::settled() const {
  absl::MutexLock lock(&mutex_);
  return settled_;
}

Spend SpendMeter::reserved() const {
  absl::MutexLock lock(&mutex_);
  const Reservation open = OpenTotal();
  return Spend{.input_tokens = open.tokens,
               .cost_usd = open.cost_usd,
               .calls = static_cast<int64_t>(open_.size())};
}

bool SpendMeter::Exhausted(int64_t tokens, double cost_usd) const {
  absl::MutexLock lock(&mutex_);
  if (caps_.max_cost_usd.has_value() &&
      settled_.cost_usd + cost_usd > *caps_.max_cost_usd + kCostTolerance) {
    return true;
  }
  return caps_.max_tokens.has_value() &&
         settled_.input_tokens + settled_.output_tokens + tokens > *caps_.max_tokens;
}

}  // namespace cambrian::mutators
