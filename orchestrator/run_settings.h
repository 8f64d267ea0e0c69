// The one declared table of run settings: for each, the command-line flag,
// the run config file's key, the key it is stored under for resume, and
// where it is documented. The TOML reader takes its allowed keys from here;
// tests/orchestrator/run_settings_test.cc fails when the flags, the reader,
// the stored configuration or the docs drift from it.
#ifndef CAMBRIAN_ORCHESTRATOR_RUN_SETTINGS_H_
#define CAMBRIAN_ORCHESTRATOR_RUN_SETTINGS_H_

#include <set>
#include <span>
#include <string>
#include <string_view>

namespace cambrian::orchestrator {

struct RunSetting {
  std::string_view flag;    // "--workers"; "task" for the positional; "" if file-only
  std::string_view toml;    // "run.workers", "llm.models.timeout"; "" if flag-only
  std::string_view stored;  // "workers", "llm.models[].timeout_seconds"; "" if not kept
  std::string_view docs;    // the doc that lists it ("search.md", "llm.md"), or ""
};

// Every setting of `cambrian run`, in the order docs/search.md lists them.
std::span<const RunSetting> RunSettings();

// The keys the config file allows in `table` ("run", "search", "mutators",
// "llm", "llm.models"): the last part of each setting's `toml` there, plus
// the names of the tables nested in it.
std::set<std::string> TomlKeysOf(std::string_view table);

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_RUN_SETTINGS_H_
