#include "mutators/knob_mutator.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "mutators/knob_parse.h"

namespace cambrian::mutators {
namespace {

std::string DrawChoice(const Knob& knob, Rng* rng) {
  auto current = std::find(knob.choices.begin(), knob.choices.end(), knob.value);
  int64_t skip = current - knob.choices.begin();
  int64_t pick = rng->UniformInt(0, static_cast<int64_t>(knob.choices.size()) - 2);
  return knob.choices[pick >= skip ? pick + 1 : pick];
}

int64_t DrawInt(const Knob& knob, Rng* rng) {
  int64_t lo = knob.int_lo, hi = knob.int_hi, current = 0;
  internal::ParseInt(knob.value, &current);
  if (rng->Bernoulli(0.5)) {
    int64_t step = rng->UniformInt(1, std::max<int64_t>(1, (hi - lo) / 8));
    if (rng->Bernoulli(0.5)) step = -step;
    // Bounce off a bound rather than stand still on it.
    int64_t v = (current + step < lo || current + step > hi) ? current - step : current + step;
    return std::clamp(v, lo, hi);
  }
  if (knob.log) {
    for (int attempt = 0; attempt < 8; ++attempt) {
      double u = rng->Uniform();
      double v = std::exp(std::log(double(lo)) + u * (std::log(double(hi)) - std::log(double(lo))));
      int64_t rounded = std::clamp<int64_t>(std::llround(v), lo, hi);
      if (rounded != current) return rounded;
    }
  }
  int64_t v = rng->UniformInt(lo, hi - 1);
  return v >= current ? v + 1 : v;
}

double DrawRealOnce(const Knob& knob, double current, Rng* rng) {
  double lo = knob.real_lo, hi = knob.real_hi, u = rng->Uniform();
  double v;
  if (rng->Bernoulli(0.5)) {
    v = knob.log ? current * std::exp((2 * u - 1) * std::log(hi / lo) / 8)
                 : current + (2 * u - 1) * (hi - lo) / 8;
  } else {
    v = knob.log ? std::exp(std::log(lo) + u * (std::log(hi) - std::log(lo))) : lo + u * (hi - lo);
  }
  return std::clamp(v, lo, hi);
}

std::string DrawReal(const Knob& knob, Rng* rng) {
  double current = 0;
  internal::ParseReal(knob.value, &current);
  // Printing rounds, so a draw can print as the current value; draw again.
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string text =
        internal::FormatReal(DrawRealOnce(knob, current, rng), knob.real_lo, knob.real_hi);
    double back = 0;
    if (internal::ParseReal(text, &back) && back != current) return text;
  }
  double far = current - knob.real_lo > knob.real_hi - current ? knob.real_lo : knob.real_hi;
  return internal::FormatReal(far, knob.real_lo, knob.real_hi);
}

enum class SeqOp { kInsert, kDelete, kReplace, kSwap };

std::vector<SeqOp> ApplicableOps(const Knob& knob, const std::vector<std::string>& elements) {
  int n = static_cast<int>(elements.size());
  std::vector<SeqOp> ops;
  if (n < knob.max_len) ops.push_back(SeqOp::kInsert);
  if (n > knob.min_len) ops.push_back(SeqOp::kDelete);
  if (n >= 1 && knob.tokens.size() >= 2) ops.push_back(SeqOp::kReplace);
  bool varied =
      std::adjacent_find(elements.begin(), elements.end(), std::not_equal_to<>()) != elements.end();
  if (varied) ops.push_back(SeqOp::kSwap);
  return ops;
}

// A token other than `current` (which is one of the tokens).
const std::string& OtherToken(const Knob& knob, const std::string& current, Rng* rng) {
  std::vector<const std::string*> others;
  for (const std::string& token : knob.tokens) {
    if (token != current) others.push_back(&token);
  }
  return *others[rng->UniformInt(0, static_cast<int64_t>(others.size()) - 1)];
}

std::string DrawSequence(const Knob& knob, Rng* rng) {
  std::vector<std::string> e = knob.elements;
  std::vector<SeqOp> ops = ApplicableOps(knob, e);
  int64_t n = static_cast<int64_t>(e.size());
  switch (ops[rng->UniformInt(0, static_cast<int64_t>(ops.size()) - 1)]) {
    case SeqOp::kInsert: {
      int64_t at = rng->UniformInt(0, n);
      const std::string& token =
          knob.tokens[rng->UniformInt(0, static_cast<int64_t>(knob.tokens.size()) - 1)];
      e.insert(e.begin() + at, token);
      break;
    }
    case SeqOp::kDelete:
      e.erase(e.begin() + rng->UniformInt(0, n - 1));
      break;
    case SeqOp::kReplace: {
      int64_t at = rng->UniformInt(0, n - 1);
      e[at] = OtherToken(knob, e[at], rng);
      break;
    }
    case SeqOp::kSwap: {
      int64_t i = rng->UniformInt(0, n - 1);
      std::vector<int64_t> partners;
      for (int64_t j = 0; j < n; ++j) {
        if (e[j] != e[i]) partners.push_back(j);
      }
      std::swap(e[i], e[partners[rng->UniformInt(0, static_cast<int64_t>(partners.size()) - 1)]]);
      break;
    }
  }
  return absl::StrJoin(e, ",");
}

}  // namespace

std::string DrawKnobValue(const Knob& knob, Rng* rng) {
  switch (knob.kind) {
    case KnobKind::kChoices:
      return DrawChoice(knob, rng);
    case KnobKind::kIntRange:
      return absl::StrCat(DrawInt(knob, rng));
    case KnobKind::kRealRange:
      return DrawReal(knob, rng);
    case KnobKind::kSequence:
      return DrawSequence(knob, rng);
  }
  return knob.value;
}

absl::StatusOr<Proposal> KnobMutator::Propose(const MutationContext& context) {
  if (context.parent == nullptr || context.rng == nullptr) {
    return absl::InvalidArgumentError("knob mutator: parent and rng are required");
  }
  absl::StatusOr<std::vector<Knob>> knobs = FindKnobs(*context.parent, context.editable);
  if (!knobs.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("malformed @knob annotations: ", knobs.status().message()));
  }
  if (knobs->empty()) return absl::FailedPreconditionError("no @knob annotations in editable code");
  std::vector<const Knob*> changeable;
  for (const Knob& knob : *knobs) {
    if (KnobCanChange(knob)) changeable.push_back(&knob);
  }
  if (changeable.empty()) return absl::FailedPreconditionError("no @knob can take another value");

  Rng& rng = *context.rng;
  int64_t m = static_cast<int64_t>(changeable.size());
  std::vector<int64_t> picks = {rng.UniformInt(0, m - 1)};
  if (m >= 2 && rng.Bernoulli(0.25)) {
    int64_t second = rng.UniformInt(0, m - 2);
    picks.push_back(second >= picks[0] ? second + 1 : second);
  }
  std::vector<KnobAssignment> assignments;
  std::vector<std::string> descriptions;
  for (int64_t pick : picks) {
    const Knob& knob = *changeable[pick];
    assignments.push_back({&knob, DrawKnobValue(knob, &rng)});
    descriptions.push_back(DescribeKnobChange(knob, assignments.back().new_value));
  }
  Proposal proposal;
  CAMBRIAN_ASSIGN_OR_RETURN(proposal.program, SetKnobValues(*context.parent, assignments));
  proposal.mutator = std::string(name());
  proposal.description = absl::StrJoin(descriptions, "; ");
  return proposal;
}

}  // namespace cambrian::mutators
