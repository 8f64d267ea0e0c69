#include "common/glob.h"

#include <fnmatch.h>

#include <algorithm>

namespace cambrian {

bool MatchesGlob(const std::string& glob, const std::string& path) {
  return fnmatch(glob.c_str(), path.c_str(), 0) == 0;
}

bool MatchesAnyGlob(const std::string& path, const std::vector<std::string>& globs) {
  return std::any_of(globs.begin(), globs.end(),
                     [&](const std::string& glob) { return MatchesGlob(glob, path); });
}

}  // namespace cambrian
