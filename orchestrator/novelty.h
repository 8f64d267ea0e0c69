// The novelty filter: a child whose code differs from an evaluated program
// only in layout (whitespace, blank lines) is not worth an evaluation, and
// with a threshold below 1, neither is one whose text is nearly the
// parent's (Jaccard similarity of character 5-grams). Cheaper than a
// duplicate evaluation, and blind to meaning: a one-literal edit (a tile
// size) is always new, since literals are not layout.
#ifndef CAMBRIAN_ORCHESTRATOR_NOVELTY_H_
#define CAMBRIAN_ORCHESTRATOR_NOVELTY_H_

#include <set>
#include <string>

#include "common/program.h"

namespace cambrian::orchestrator {

// The program with every line's runs of spaces and tabs collapsed to one,
// trailing ones dropped, and blank lines dropped, hashed.
std::string LayoutFreeHash(const Program& program);

// |A n B| / |A u B| over the character 5-grams of the two programs' files,
// after the same layout normalisation; 1 for equal texts.
double TextSimilarity(const Program& a, const Program& b);

class NoveltyFilter {
 public:
  // `threshold` in (0, 1]: a child at least this similar to its parent is
  // skipped; 1 skips only layout-only changes of any seen program.
  explicit NoveltyFilter(double threshold) : threshold_(threshold) {}

  // Whether `child` (of `parent`) is new enough to evaluate; remembers the
  // parent's and, when it is, the child's layout-free hashes. The
  // similarity threshold applies only `with_threshold` (LLM children).
  bool Admit(const Program& parent, const Program& child, bool with_threshold);

 private:
  double threshold_;
  std::set<std::string> seen_;
};

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_NOVELTY_H_
