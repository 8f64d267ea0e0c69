// Line-based unified diffs of programs, in the format `git apply` and
// `patch -p1` accept ("diff --git a/PATH b/PATH", "--- a/PATH", "+++ b/PATH",
// "@@ -l,s +l,s @@" hunks with 3 lines of context, "\ No newline at end of
// file" where needed, /dev/null for added or removed files).
#ifndef CAMBRIAN_COMMON_TEXT_DIFF_H_
#define CAMBRIAN_COMMON_TEXT_DIFF_H_

#include <string>

#include "common/program.h"

namespace cambrian {

// The unified diff turning `before` into `after` for one file at `path`.
// Empty if the contents are equal.
std::string UnifiedFileDiff(const std::string& path, const std::string& before,
                            const std::string& after, int context_lines = 3);

// The diff of every file that differs between two programs, in path order;
// files only in `after` are additions, files only in `before` deletions.
std::string UnifiedProgramDiff(const Program& before, const Program& after, int context_lines = 3);

}  // namespace cambrian

#endif  // CAMBRIAN_COMMON_TEXT_DIFF_H_
