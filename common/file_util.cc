#include "common/file_util.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/absl_compat.h"

namespace cambrian {
namespace fs = std::filesystem;

absl::StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path.string()));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read ", path.string()));
  return buffer.str();
}

absl::Status WriteFile(const fs::path& path, std::string_view content) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", path.parent_path().string()));
  fs::path tmp = path;
  tmp += absl::StrCat(".tmp.", getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", tmp.string()));
  }
  fs::rename(tmp, path, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot rename to ", path.string()));
  return absl::OkStatus();
}

bool IsSafeRelativePath(std::string_view relative) {
  if (relative.empty() || relative.front() == '/') return false;
  for (absl::string_view part : absl::StrSplit(Sv(relative), '/')) {
    if (part.empty() || part == "." || part == "..") return false;
  }
  return true;
}

absl::StatusOr<Program> ReadProgramTree(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return absl::NotFoundError(absl::StrCat("not a directory: ", root.string()));
  }
  Program program;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    if (entry.is_directory()) continue;
    std::string relative = fs::relative(entry.path(), root).generic_string();
    if (!entry.is_regular_file() || entry.is_symlink()) {
      return absl::InvalidArgumentError(
          absl::StrCat(entry.path().string(), ": not a regular file"));
    }
    auto content = ReadFile(entry.path());
    if (!content.ok()) return content.status();
    program[relative] = *std::move(content);
  }
  if (ec) return absl::InternalError(absl::StrCat("cannot list ", root.string()));
  return program;
}

absl::Status WriteProgramTree(const fs::path& root, const Program& program) {
  for (const auto& [relative, content] : program) {
    if (!IsSafeRelativePath(relative)) {
      return absl::InvalidArgumentError(absl::StrCat("unsafe program path '", relative, "'"));
    }
    absl::Status status = WriteFile(root / relative, content);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> HashTree(const fs::path& root) {
  auto program = ReadProgramTree(root);
  if (!program.ok()) return program.status();
  return ProgramHash(*program);
}

}  // namespace cambrian
