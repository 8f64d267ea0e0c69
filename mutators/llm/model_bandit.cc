#include "mutators/llm/model_bandit.h"

#include <algorithm>
#include <cmath>

namespace cambrian::mutators {

ModelBandit::ModelBandit(const std::vector<double>& weights) {
  for (double weight : weights) arms_.push_back({.weight = weight});
}

double ModelBandit::Value(const Arm& arm, int64_t total_calls, double mean_cost) const {
  const double calls = static_cast<double>(arm.calls);
  double rate = static_cast<double>(arm.wins) / calls;
  if (mean_cost > 0) {
    // Per dollar relative to the ensemble's average call; a free model
    // (local) counts as a tenth of the average, not as infinitely good.
    const double relative = std::max(arm.cost_usd / calls / mean_cost, 0.1);
    rate /= relative;
  }
  return rate + std::sqrt(2 * std::log(static_cast<double>(total_calls)) / calls);
}

size_t ModelBandit::Pick(Rng& rng) const {
  std::vector<size_t> untried;
  int64_t total_calls = 0;
  double total_cost = 0;
  for (size_t i = 0; i < arms_.size(); ++i) {
    if (arms_[i].weight <= 0) continue;
    if (arms_[i].calls == 0) untried.push_back(i);
    total_calls += arms_[i].calls;
    total_cost += arms_[i].cost_usd;
  }
  if (!untried.empty()) return untried[rng.UniformInt(0, static_cast<int64_t>(untried.size()) - 1)];
  const double mean_cost = total_calls > 0 ? total_cost / static_cast<double>(total_calls) : 0;
  size_t best = 0;
  double best_value = -1;
  for (size_t i = 0; i < arms_.size(); ++i) {
    if (arms_[i].weight <= 0) continue;
    const double value = Value(arms_[i], total_calls, mean_cost);
    if (value > best_value) {
      best = i;
      best_value = value;
    }
  }
  return best;
}

void ModelBandit::Called(size_t arm, double cost_usd) {
  if (arm >= arms_.size()) return;
  ++arms_[arm].calls;
  arms_[arm].cost_usd += cost_usd;
}

void ModelBandit::Improved(size_t arm) {
  if (arm < arms_.size()) ++arms_[arm].wins;
}

}  // namespace cambrian::mutators
