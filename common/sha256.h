// Incremental SHA-256 (OpenSSL's libcrypto underneath).
#ifndef CAMBRIAN_COMMON_SHA256_H_
#define CAMBRIAN_COMMON_SHA256_H_

#include <memory>
#include <string>
#include <string_view>

namespace cambrian {

// Not thread-safe; one hasher per thread. HexDigest() finishes the hash and
// may be called once.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view data);
  std::string HexDigest();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Hex SHA-256 of `data` in one call.
std::string Sha256Hex(std::string_view data);

}  // namespace cambrian

#endif  // CAMBRIAN_COMMON_SHA256_H_
