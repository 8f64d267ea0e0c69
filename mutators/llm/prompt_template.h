// Prompt templates: plain text files with named placeholders, loaded once at
// start so that a typo fails the run before any money is spent.
//
// Syntax (a small subset of Mustache, no escaping):
//   {{name}}                the value of placeholder `name`
//   {{#name}} ... {{/name}} the text between, only if `name` is not empty
//   {{^name}} ... {{/name}} the text between, only if `name` is empty
// A section tag alone on its line takes the whole line with it, so sections
// leave no blank lines behind. Names are the KnownPlaceholders(); anything
// else between {{ and }} is an error at load.
#ifndef CAMBRIAN_MUTATORS_LLM_PROMPT_TEMPLATE_H_
#define CAMBRIAN_MUTATORS_LLM_PROMPT_TEMPLATE_H_

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace cambrian::mutators {

// task_name, task_description, task_instructions, goal, fitness, parent_code,
// parent_metrics, parent_fitness, parent_feedback, failure, inspirations,
// previous_rejection, edit_format (see prompts/README.md for their meaning).
const std::vector<std::string>& KnownPlaceholders();

// An immutable parsed template; thread-safe to Render concurrently.
class PromptTemplate {
 public:
  PromptTemplate() = default;

  // Parses `text`. `source` (e.g. "prompts/diff.txt") names the template in
  // errors. InvalidArgument "SOURCE:LINE: ..." for an unknown placeholder,
  // a name outside `allowed` (default: every known placeholder), an unclosed
  // {{, or sections that do not nest.
  [[nodiscard]] static absl::StatusOr<PromptTemplate> Parse(
      const std::string& text, const std::string& source,
      const std::vector<std::string>& allowed = KnownPlaceholders());

  // The text with every placeholder replaced by its value in `values`; a
  // placeholder missing from `values` counts as empty.
  std::string Render(const std::map<std::string, std::string>& values) const;

  const std::string& source() const { return source_; }
  // The placeholders this template uses.
  const std::set<std::string>& placeholders() const { return placeholders_; }

 private:
  enum class Kind { kText, kValue, kIfSet, kIfEmpty, kEnd };
  struct Piece {
    Kind kind = Kind::kText;
    std::string text;  // kText: the text; otherwise the placeholder name
    size_t end = 0;    // kIfSet/kIfEmpty: the index of the matching kEnd
  };

  std::string source_;
  std::vector<Piece> pieces_;
  std::set<std::string> placeholders_;
};

// The templates of one prompts directory, all loaded and checked together.
struct PromptSet {
  PromptTemplate system;               // system.txt: the system prompt
  PromptTemplate diff;                 // diff.txt: ask for SEARCH/REPLACE edits
  PromptTemplate rewrite;              // rewrite.txt: ask for whole files
  PromptTemplate repair;               // repair.txt: the parent failed; fix it
  PromptTemplate edit_format_diff;     // edit_format_diff.txt: {{edit_format}} in diff mode
  PromptTemplate edit_format_rewrite;  // edit_format_rewrite.txt: ... in rewrite mode
};

// Loads and parses every template of `dir`. NotFound naming the file if one
// is missing or unreadable; InvalidArgument "FILE:LINE: ..." if one does not
// parse (the edit_format_*.txt files may not use {{edit_format}} itself).
[[nodiscard]] absl::StatusOr<PromptSet> LoadPromptSet(const std::filesystem::path& dir);

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_PROMPT_TEMPLATE_H_
