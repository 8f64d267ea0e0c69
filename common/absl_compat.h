// Debian 12's abseil is built with its own absl::string_view and
// absl::optional (ABSL_OPTION_USE_STD_* = 0), which do not convert from the
// std:: types we use in our interfaces. Bridge explicitly with Sv() (std -> absl) and Std() (absl
// -> std).
#ifndef CAMBRIAN_COMMON_ABSL_COMPAT_H_
#define CAMBRIAN_COMMON_ABSL_COMPAT_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace cambrian {

inline std::string_view Std(absl::string_view s) { return std::string_view(s.data(), s.size()); }
inline absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace cambrian

#endif  // CAMBRIAN_COMMON_ABSL_COMPAT_H_
