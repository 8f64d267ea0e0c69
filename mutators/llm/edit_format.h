// The two ways an LLM reply changes a program, and how the reply is read.
//
// SEARCH/REPLACE (diff mode): one or more blocks, each preceded by the path
// of the file it edits (a bare line "src/x.cpp", or "File: x.cpp",
// "### x.cpp", "`x.cpp`", "**x.cpp**"; blank lines and ``` fences between
// the path and the block are skipped):
//
//   matmul.cpp
//   <<<<<<< SEARCH
//   exact old lines
//   =======
//   new lines
//   >>>>>>> REPLACE
//
// A block without a path line of its own edits the file of the block before
// it (or, for the first block, the program's only editable file). Blocks
// apply in order, each to the text the earlier ones left. A SEARCH must match
// exactly one place in its file: first byte for byte, then ignoring trailing
// whitespace, then also ignoring a uniform difference in leading indentation
// (the REPLACE lines are then re-indented by the same difference).
//
// Whole-file rewrite (rewrite mode): one fenced block per file, the path
// either in the fence's info string ("```cpp matmul.cpp") or on the line
// before the fence. A file with EVOLVE-BLOCK markers may be given whole
// (markers included; text outside the blocks must be unchanged) or as just
// the new content of its only block, which is then spliced in.
//
// Small models often answer in the other form, which is taken where that is
// unambiguous: in diff mode a reply with no SEARCH/REPLACE markers and
// exactly one fenced block is a rewrite of the file it names (or of the only
// editable file), if the block is at least half as long as that file (or the
// file has EVOLVE-BLOCKs, whose content it may be); in rewrite mode a reply
// with SEARCH/REPLACE markers is read as diff edits. The summary says so.
//
// Either way nothing is ever skipped: a block that does not parse, names an
// unknown or non-editable file, matches nowhere or more than once, or changes
// text outside the editable files and EVOLVE-BLOCKs rejects the whole reply
// with FailedPrecondition and a reason naming the block number, the file and
// the first SEARCH line, meant to be shown to the LLM in the next prompt.
// All functions are pure and thread-compatible.
#ifndef CAMBRIAN_MUTATORS_LLM_EDIT_FORMAT_H_
#define CAMBRIAN_MUTATORS_LLM_EDIT_FORMAT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/program.h"

namespace cambrian::mutators {

enum class EditMode { kDiff, kRewrite };

// "diff" | "rewrite".
std::string EditModeName(EditMode mode);

struct EditResult {
  Program program;      // the whole child program
  std::string summary;  // e.g. "2 SEARCH/REPLACE blocks in matmul.cpp"
};

// One parsed SEARCH/REPLACE block (exposed for tests and tools).
struct SearchReplaceBlock {
  int number = 0;       // 1-based, in reply order
  std::string path;     // as written in the reply, cleaned ("" if none was given)
  std::string search;   // lines joined with '\n', each line ending in '\n'
  std::string replace;  // likewise ("" deletes the matched lines)
};

// The blocks of `reply`. `program` resolves path lines (a line counts as a
// path if it names a file of the program or looks like one). FailedPrecondition
// if the markers are malformed (a SEARCH without its ======= or REPLACE, a
// stray marker) or the reply holds no block at all.
[[nodiscard]] absl::StatusOr<std::vector<SearchReplaceBlock>> ParseSearchReplace(
    const std::string& reply, const Program& program);

// Parses and applies the SEARCH/REPLACE blocks of `reply` to `parent`, then
// checks the result against the edit policy (mutators/edit_policy.h).
// FailedPrecondition with the reason if the reply is rejected (see above),
// including a reply that leaves the program unchanged. InvalidArgument if the
// parent itself has unbalanced EVOLVE-BLOCK markers.
[[nodiscard]] absl::StatusOr<EditResult> ApplySearchReplace(
    const std::string& reply, const Program& parent, const std::vector<std::string>& editable);

// Applies the whole-file rewrites of `reply` to `parent`. Same errors.
[[nodiscard]] absl::StatusOr<EditResult> ApplyRewrite(const std::string& reply,
                                                      const Program& parent,
                                                      const std::vector<std::string>& editable);

// ApplySearchReplace or ApplyRewrite by mode.
[[nodiscard]] absl::StatusOr<EditResult> ApplyEdits(EditMode mode, const std::string& reply,
                                                    const Program& parent,
                                                    const std::vector<std::string>& editable);

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_EDIT_FORMAT_H_
