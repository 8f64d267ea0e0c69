// Helpers shared by the edit-format readers (edit_format*.cc). Not part of
// the module's interface; tests may use them.
#ifndef CAMBRIAN_MUTATORS_LLM_EDIT_FORMAT_INTERNAL_H_
#define CAMBRIAN_MUTATORS_LLM_EDIT_FORMAT_INTERNAL_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/program.h"
#include "mutators/llm/edit_format.h"

namespace cambrian::mutators::internal {

// `text` split at '\n' with any '\r' before it dropped; a final '\n' does not
// start another line.
std::vector<std::string> ReplyLines(const std::string& text);

bool IsBlank(std::string_view line);
std::string_view TrimWhitespace(std::string_view text);

// The file a line names: a path line ("x.cpp", "File: x.cpp", "### x.cpp",
// "`x.cpp`:"), a fence with a path ("```cpp x.cpp"), or prose mentioning a
// file of `program`. A path-shaped name that is not in the program is
// returned as well (the caller rejects it by name). nullopt if the line names
// nothing.
std::optional<std::string> PathFromLine(std::string_view line, const Program& program);

// The number of backticks opening a ``` fence on `line`, 0 if none.
int FenceLength(std::string_view line);
// Whether any line of `reply` opens a fence.
bool HasFence(const std::string& reply);

// "matmul.cpp, kernel.cu", the files of `program` that `editable` matches.
std::string EditableList(const Program& program, const std::vector<std::string>& editable);

// `content` with the one place `search` matches replaced by `replace`
// (both '\n'-terminated lines), trying exact, then trailing-whitespace,
// then indentation-tolerant matching. FailedPrecondition saying why not
// ("matches nowhere", "matches 2 places (lines 3 and 9)").
[[nodiscard]] absl::StatusOr<std::string> ReplaceOnce(const std::string& content,
                                                      const std::string& search,
                                                      const std::string& replace);

// A diff-mode reply with no SEARCH/REPLACE markers taken as a whole-file
// rewrite where that is unambiguous: exactly one fenced block, for a file it
// names or the program's only editable file, at least half as long (in
// lines) as that file or just its EVOLVE-BLOCK. FailedPrecondition saying
// why not otherwise (a fragment is not a file).
[[nodiscard]] absl::StatusOr<EditResult> ApplyWholeFileAnswer(
    const std::string& reply, const Program& parent, const std::vector<std::string>& editable);

}  // namespace cambrian::mutators::internal

#endif  // CAMBRIAN_MUTATORS_LLM_EDIT_FORMAT_INTERNAL_H_
