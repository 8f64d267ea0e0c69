#include "sandbox/disk_usage.h"

#include <sys/stat.h>

#include <system_error>

namespace cambrian::sandbox {

int64_t DiskUsageBytes(const std::vector<std::filesystem::path>& roots) {
  int64_t total = 0;
  auto add = [&total](const std::filesystem::path& path) {
    struct stat st {};
    if (lstat(path.c_str(), &st) == 0) total += int64_t{st.st_blocks} * 512;
  };
  for (const std::filesystem::path& root : roots) {
    add(root);
    std::error_code ec;
    auto it = std::filesystem::recursive_directory_iterator(
        root, std::filesystem::directory_options::skip_permission_denied, ec);
    for (; !ec && it != std::filesystem::end(it); it.increment(ec)) add(it->path());
  }
  return total;
}

}  // namespace cambrian::sandbox
