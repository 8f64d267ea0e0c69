// The novelty filter: a child whose code differs from an evaluated program
// only in layout (whitespace, blank lines) is not worth an evaluation, and
// with a threshold below 1, neither is one whose text is nearly the
// parent's: by the cosine of their embeddings where an /embeddings server
// is configured (mutators/llm/embedder.h), else by the Jaccard similarity
// of character 5-grams. Cheaper than a duplicate evaluation; the text
// measure is blind to meaning, and a one-literal edit (a tile size) is
// always new by it, since literals are not layout.
#ifndef CAMBRIAN_ORCHESTRATOR_NOVELTY_H_
#define CAMBRIAN_ORCHESTRATOR_NOVELTY_H_

#include <deque>
#include <set>
#include <string>
#include <vector>

#include "common/program.h"

namespace cambrian::orchestrator {

// The program with every line's runs of spaces and tabs collapsed to one,
// trailing ones dropped, and blank lines dropped, hashed.
std::string LayoutFreeHash(const Program& program);

// |A n B| / |A u B| over the character 5-grams of the two programs' files,
// after the same layout normalisation; 1 for equal texts.
double TextSimilarity(const Program& a, const Program& b);

// What is embedded of a program: its editable files (matched by the task's
// `editable` globs), each after a "=== PATH ===" line, in path order.
std::string EditableText(const Program& program, const std::vector<std::string>& editable);

// Unit-length embeddings of a proposal's parent and child.
struct ProposalEmbeddings {
  std::vector<float> parent;
  std::vector<float> child;
};

class NoveltyFilter {
 public:
  // `threshold` in (0, 1]: a child at least this similar to its parent is
  // skipped; 1 skips only layout-only changes of any seen program.
  explicit NoveltyFilter(double threshold) : threshold_(threshold) {}

  // Whether `child` (of `parent`) is new enough to evaluate; remembers the
  // parent's and, when it is, the child's layout-free hashes. The
  // similarity threshold applies only `with_threshold` (LLM children):
  // with `embeddings`, to the cosine of the child's embedding with its
  // parent's and with every admitted child's (the last 4096), else to the
  // text similarity with the parent.
  bool Admit(const Program& parent, const Program& child, bool with_threshold,
             const ProposalEmbeddings* embeddings = nullptr);

 private:
  bool TooLikeEmbedded(const ProposalEmbeddings& embeddings) const;

  double threshold_;
  std::set<std::string> seen_;
  std::deque<std::vector<float>> admitted_;  // embeddings of admitted children
};

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_NOVELTY_H_
