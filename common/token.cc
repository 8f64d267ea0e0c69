#include "common/token.h"

#include <sys/random.h>

#include "absl/strings/str_format.h"

namespace cambrian {

std::string MakeToken() {
  unsigned char bytes[16] = {};
  if (getrandom(bytes, sizeof(bytes), 0) != static_cast<ssize_t>(sizeof(bytes))) return "";
  std::string token;
  for (unsigned char b : bytes) token += absl::StrFormat("%02x", b);
  return token;
}

bool SameToken(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace cambrian
