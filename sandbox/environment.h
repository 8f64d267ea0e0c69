// The environment a job starts with. Jobs inherit nothing from the harness by
// default: the harness's environment holds API keys (OPENAI_API_KEY, ...) and
// other secrets that must never reach untrusted code.
#ifndef CAMBRIAN_SANDBOX_ENVIRONMENT_H_
#define CAMBRIAN_SANDBOX_ENVIRONMENT_H_

#include <map>
#include <string>
#include <vector>

namespace cambrian::sandbox {

// The search path used when neither the host nor a job names one.
inline constexpr char kDefaultPath[] = "/usr/local/bin:/usr/bin:/bin";

// Returns the allow-listed part of the host environment with `extra` on top
// (an `extra` entry replaces a host entry of the same name). The allow-list,
// in full:
//   PATH     the host's value, or kDefaultPath if unset or empty;
//   LANG     the host's value, or "C.UTF-8";
//   LC_ALL   the host's value, or "C.UTF-8";
//   TZ       the host's value, only if set.
// Nothing else is copied from the host: no HOME, USER, proxies or keys.
// Thread-safe as long as no other thread modifies the process environment
// (setenv/putenv) at the same time.
std::map<std::string, std::string> JobEnvironment(const std::map<std::string, std::string>& extra);

// Gives a job exactly `gpus` (nvidia-smi indices): CUDA_VISIBLE_DEVICES is
// set to them ("" for none, which hides every GPU) and CUDA_DEVICE_ORDER to
// PCI_BUS_ID, so CUDA numbers devices as nvidia-smi does.
void SetGpuEnvironment(const std::vector<int>& gpus, std::map<std::string, std::string>* env);

}  // namespace cambrian::sandbox

#endif  // CAMBRIAN_SANDBOX_ENVIRONMENT_H_
