#include "sandbox/environment.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <optional>
#include <string>

namespace cambrian::sandbox {
namespace {

// Sets or unsets a variable for one test and restores it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = getenv(name); old != nullptr) old_ = old;
    if (value != nullptr) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(JobEnvironmentTest, KeepsOnlyTheAllowList) {
  ScopedEnv key("OPENAI_API_KEY", "sk-secret");
  ScopedEnv home("HOME", "/home/someone");
  ScopedEnv path("PATH", "/opt/bin:/usr/bin");
  ScopedEnv lang("LANG", "en_US.UTF-8");
  ScopedEnv lc_all("LC_ALL", nullptr);
  ScopedEnv tz("TZ", "Europe/Paris");
  auto env = JobEnvironment({});
  EXPECT_EQ(env, (std::map<std::string, std::string>{{"PATH", "/opt/bin:/usr/bin"},
                                                     {"LANG", "en_US.UTF-8"},
                                                     {"LC_ALL", "C.UTF-8"},
                                                     {"TZ", "Europe/Paris"}}));
}

TEST(JobEnvironmentTest, DefaultsWhenHostHasNothing) {
  ScopedEnv path("PATH", nullptr);
  ScopedEnv lang("LANG", nullptr);
  ScopedEnv lc_all("LC_ALL", nullptr);
  ScopedEnv tz("TZ", nullptr);
  auto env = JobEnvironment({});
  EXPECT_EQ(env, (std::map<std::string, std::string>{
                     {"PATH", kDefaultPath}, {"LANG", "C.UTF-8"}, {"LC_ALL", "C.UTF-8"}}));
}

TEST(JobEnvironmentTest, EmptyHostPathFallsBackToDefault) {
  ScopedEnv path("PATH", "");
  EXPECT_EQ(JobEnvironment({}).at("PATH"), kDefaultPath);
}

TEST(JobEnvironmentTest, ExtraGoesOnTopAndWins) {
  ScopedEnv path("PATH", "/usr/bin");
  auto env = JobEnvironment({{"CAMBRIAN_OUT", "/tmp/out"}, {"PATH", "/job/bin"}});
  EXPECT_EQ(env.at("CAMBRIAN_OUT"), "/tmp/out");
  EXPECT_EQ(env.at("PATH"), "/job/bin");
}

}  // namespace
}  // namespace cambrian::sandbox
