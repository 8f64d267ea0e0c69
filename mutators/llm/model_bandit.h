// Model selection that learns: which model of the ensemble gets the next
// call, by UCB1 over the improvements each model's children made per call,
// scaled by what its calls cost relative to the others' (ShinkaEvolve's
// idea, with UCB1 from Auer, Cesa-Bianchi and Fischer 2002). A model with
// weight 0 is never asked; each other model is asked once before any is
// asked twice.
#ifndef CAMBRIAN_MUTATORS_LLM_MODEL_BANDIT_H_
#define CAMBRIAN_MUTATORS_LLM_MODEL_BANDIT_H_

#include <cstdint>
#include <vector>

#include "common/rng.h"

namespace cambrian::mutators {

class ModelBandit {
 public:
  struct Arm {
    double weight = 1;  // 0: never picked
    int64_t calls = 0;  // every call made, whatever became of it
    int64_t wins = 0;   // children that beat their parent
    double cost_usd = 0;
  };

  explicit ModelBandit(const std::vector<double>& weights);

  // The arm for the next call: an untried one (at random), else the best
  // (wins / calls) / relative cost + sqrt(2 ln(total calls) / calls).
  // Not thread-safe (the LLM mutator holds its lock).
  size_t Pick(Rng& rng) const;
  void Called(size_t arm, double cost_usd);
  void Improved(size_t arm);
  const std::vector<Arm>& arms() const { return arms_; }

 private:
  double Value(const Arm& arm, int64_t total_calls, double mean_cost) const;

  std::vector<Arm> arms_;
};

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_MODEL_BANDIT_H_
