// The one meaning of the `editable` globs in task.toml, shared by the task
// loader (every glob must match a file) and the edit policy (what a proposal
// may change), so the two cannot drift apart.
#ifndef CAMBRIAN_COMMON_GLOB_H_
#define CAMBRIAN_COMMON_GLOB_H_

#include <string>
#include <vector>

namespace cambrian {

// fnmatch(3) without flags: '*' and '?' also match '/', so "*.cpp" covers
// files in subdirectories and "*" or "**" match every file.
bool MatchesGlob(const std::string& glob, const std::string& path);

// True if some glob in `globs` matches `path`.
bool MatchesAnyGlob(const std::string& path, const std::vector<std::string>& globs);

}  // namespace cambrian

#endif  // CAMBRIAN_COMMON_GLOB_H_
