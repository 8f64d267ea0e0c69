// The edit policy: which parts of a program a proposal may change. The
// controller checks every proposal (knob, crossover, LLM) against its parent
// with CheckEditAllowed before evaluating it.
//
// Editable globs (task.toml [program] editable) are fnmatch(3) patterns
// matched against the whole relative path with no flags: '*' matches any run
// of characters INCLUDING '/', '?' one character, [...] a class. So
// "src/*.cpp" matches src/a.cpp and src/sub/b.cpp, "*" and "**" match every
// file, "*.py" every Python file at any depth, and "matmul.cpp" only itself.
// Dot files are not special.
//
// EVOLVE-BLOCK markers narrow a file: a line containing "EVOLVE-BLOCK-START"
// opens a block, the next line containing "EVOLVE-BLOCK-END" closes it; blocks
// do not nest. In a file whose parent version has markers, only the lines
// strictly between a START and its END may change; the marker lines and all
// text outside blocks must stay byte for byte. A file without markers is
// editable as a whole if a glob matches it.
//
// All functions are pure and thread-compatible.
#ifndef CAMBRIAN_MUTATORS_EDIT_POLICY_H_
#define CAMBRIAN_MUTATORS_EDIT_POLICY_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/glob.h"
#include "common/program.h"

namespace cambrian::mutators {

inline constexpr char kEvolveBlockStart[] = "EVOLVE-BLOCK-START";
inline constexpr char kEvolveBlockEnd[] = "EVOLVE-BLOCK-END";

// True if some glob in `globs` matches `path` (common/glob.h; see above).
using ::cambrian::MatchesAnyGlob;

// One EVOLVE-BLOCK: the editable bytes [begin, end) lie between the marker
// lines (begin is the first byte after the START line, end the first byte of
// the END line).
struct Region {
  int start_line = 0;  // 1-based line of the EVOLVE-BLOCK-START marker
  int end_line = 0;    // 1-based line of the EVOLVE-BLOCK-END marker
  size_t begin = 0;
  size_t end = 0;
};

// The blocks of `content` in order; empty if it has no markers.
// InvalidArgument naming the line for a START inside a block, an END outside
// one, or a START never closed.
[[nodiscard]] absl::StatusOr<std::vector<Region>> EvolveBlocks(const std::string& content);

// OK if `child` differs from `parent` only where the policy allows.
// PermissionDenied naming the file (and for block violations the line in the
// parent) if the child:
//   - has a path that is absolute, has "." or ".." components or is empty;
//   - changes, adds or deletes a file that no editable glob matches;
//   - deletes a file with EVOLVE-BLOCK markers, or adds markers to a file
//     that had none, or leaves a file's markers unbalanced;
//   - adds, removes or moves a marker line, or changes text outside the
//     blocks of a file whose parent version has markers.
// InvalidArgument if the parent itself has unbalanced markers (a broken task
// or archive, not a bad proposal).
[[nodiscard]] absl::Status CheckEditAllowed(const Program& parent, const Program& child,
                                            const std::vector<std::string>& editable);

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_EDIT_POLICY_H_
