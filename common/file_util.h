// Filesystem helpers shared by every layer. All return Status naming the path.
#ifndef CAMBRIAN_COMMON_FILE_UTIL_H_
#define CAMBRIAN_COMMON_FILE_UTIL_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/program.h"

namespace cambrian {

[[nodiscard]] absl::StatusOr<std::string> ReadFile(const std::filesystem::path& path);

// Writes atomically: a temporary file in the same directory, then rename.
// Parent directories are created.
[[nodiscard]] absl::Status WriteFile(const std::filesystem::path& path, std::string_view content);

// Reads every regular file under `root` into a Program (paths relative to
// root). Symlinks and special files are an error: a program is plain files.
[[nodiscard]] absl::StatusOr<Program> ReadProgramTree(const std::filesystem::path& root);

// Writes `program` under `root`, creating directories. Rejects absolute paths
// and ".." components so a hostile path cannot escape `root`.
[[nodiscard]] absl::Status WriteProgramTree(const std::filesystem::path& root,
                                            const Program& program);

// True if `relative` is a safe relative path (no leading '/', no "..").
bool IsSafeRelativePath(std::string_view relative);

// Hex SHA-256 over a directory tree's relative paths and contents (used to
// notice that a task's trusted files changed).
[[nodiscard]] absl::StatusOr<std::string> HashTree(const std::filesystem::path& root);

}  // namespace cambrian

#endif  // CAMBRIAN_COMMON_FILE_UTIL_H_
