#include "call_timer.h"

namespace cambrian::kernels {

void CallTimer::CloseTail(std::optional<int64_t> cpu) {
  if (calls_.empty() || calls_.back().settled) return;
  CallCharge& last = calls_.back();
  last.settled = true;
  // A meter never runs backwards; clamp in case a broken one does.
  if (cpu) last.cpu_ns = std::max<int64_t>(0, *cpu - begin_cpu_);
}

size_t CallTimer::Begin(std::optional<int64_t> cpu) {
  CloseTail(cpu);
  calls_.emplace_back();
  begin_cpu_ = cpu.value_or(0);
  return calls_.size() - 1;
}

void CallTimer::Sent(int64_t now) { sent_at_ = now; }

void CallTimer::Answered(int64_t now) {
  if (calls_.empty()) return;
  calls_.back().answered = true;
  calls_.back().wall_ns = std::max<int64_t>(0, now - sent_at_);
}

void CallTimer::Settle(std::optional<int64_t> cpu) { CloseTail(cpu); }

}  // namespace cambrian::kernels
