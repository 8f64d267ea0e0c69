// Turns a MutationContext into the text of an LLM request by filling the
// prompt templates' placeholders. Only files the `editable` globs match are
// ever shown (the context's programs hold no trusted files to begin with).
#ifndef CAMBRIAN_MUTATORS_LLM_PROMPT_BUILDER_H_
#define CAMBRIAN_MUTATORS_LLM_PROMPT_BUILDER_H_

#include <map>
#include <string>
#include <vector>

#include "common/program.h"
#include "mutators/llm/edit_format.h"
#include "mutators/llm/prompt_template.h"
#include "mutators/mutator.h"

namespace cambrian::mutators {

// What one prompt asks for: new code in `mode`, or a repair of a failed
// parent (answered in `mode` too).
struct PromptChoice {
  EditMode mode = EditMode::kDiff;
  bool repair = false;
};

// What of a candidate's own reports a prompt carries at most: metrics (only
// those the task names, when it names any), feedback (from the start) and
// a failed stage's output (from the end), each cut with a visible mark.
inline constexpr size_t kMaxPromptMetrics = 24;
inline constexpr size_t kMaxPromptFeedbackBytes = 2048;
inline constexpr size_t kMaxPromptFailureBytes = 4096;

struct BuiltPrompt {
  std::string system;  // the rendered system.txt
  std::string user;    // the rendered diff.txt, rewrite.txt or repair.txt
};

// True if the parent was evaluated and did not end "ok" (build error, crash,
// timeout, wrong answer...): its proposals are repairs.
bool ParentFailed(const ScoredProgram& parent);

// The editable files of `program` in path order, each as a "### PATH" line
// and a fenced block (```cpp, ```python... by extension) holding the file
// as is, EVOLVE-BLOCK markers included. A fence is longer than any run of
// backticks inside the file.
std::string RenderProgramCode(const Program& program, const std::vector<std::string>& editable);

// Every placeholder's value for `context` (see prompts/README.md) except
// edit_format. `previous_rejection` is why the last proposal for this parent
// was rejected ("" if it was not). Requires context.parent.
std::map<std::string, std::string> PromptValues(const MutationContext& context,
                                                const std::string& previous_rejection);

// The system prompt and user message for one proposal. Requires
// context.parent. Thread-safe (pure).
BuiltPrompt BuildPrompt(const PromptSet& prompts, const MutationContext& context,
                        const PromptChoice& choice, const std::string& previous_rejection);

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_PROMPT_BUILDER_H_
