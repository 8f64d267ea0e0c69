#include "common/program.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/sha256.h"

namespace cambrian {

std::string ProgramHash(const Program& program) {
  Sha256 hasher;
  for (const auto& [path, content] : program) {
    hasher.Update(absl::StrCat(path.size(), ":", path, ";", content.size(), ":"));
    hasher.Update(content);
  }
  return hasher.HexDigest();
}

int CountLines(const Program& program) {
  int lines = 0;
  for (const auto& [path, content] : program) {
    lines += static_cast<int>(std::count(content.begin(), content.end(), '\n'));
    if (!content.empty() && content.back() != '\n') ++lines;
  }
  return lines;
}

}  // namespace cambrian
