#include "sandbox/cgroup_files.h"

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace cambrian::sandbox::internal {

namespace fs = std::filesystem;

std::string ReadSmallFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int WriteCgroupFile(const fs::path& path, const std::string& value) {
  std::FILE* file = std::fopen(path.c_str(), "we");
  if (file == nullptr) return errno;
  std::setvbuf(file, nullptr, _IONBF, 0);
  int error = std::fwrite(value.data(), 1, value.size(), file) == value.size() ? 0 : errno;
  if (std::fclose(file) != 0 && error == 0) error = errno;
  return error;
}

int64_t KeyedValue(const fs::path& path, const std::string& key) {
  std::istringstream lines(ReadSmallFile(path));
  std::string name;
  int64_t value = 0;
  while (lines >> name >> value) {
    if (name == key) return value;
  }
  return 0;
}

}  // namespace cambrian::sandbox::internal
