#include "sandbox/environment.h"

#include <cstdlib>

#include "absl/strings/str_join.h"

namespace cambrian::sandbox {
namespace {

// The host's value of `name`, or `fallback` when it is unset or empty (an
// empty PATH would make every command lookup fail in a confusing way).
std::string HostOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && value[0] != '\0' ? std::string(value) : fallback;
}

}  // namespace

std::map<std::string, std::string> JobEnvironment(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> env;
  env["PATH"] = HostOr("PATH", kDefaultPath);
  env["LANG"] = HostOr("LANG", "C.UTF-8");
  env["LC_ALL"] = HostOr("LC_ALL", "C.UTF-8");
  if (const char* tz = std::getenv("TZ"); tz != nullptr) env["TZ"] = tz;
  for (const auto& [name, value] : extra) env[name] = value;
  return env;
}

void SetGpuEnvironment(const std::vector<int>& gpus, std::map<std::string, std::string>* env) {
  (*env)["CUDA_VISIBLE_DEVICES"] = absl::StrJoin(gpus, ",");
  (*env)["CUDA_DEVICE_ORDER"] = "PCI_BUS_ID";
}

}  // namespace cambrian::sandbox
