// Declarations (kernels/PROTOCOL.md, "Declarations"): what a worker says
// about itself in HELLO or about a call in DONE, as lines "NAME VALUE\n".
// They are the candidate's claims: report them as declared, never let them
// decide a score or a verdict on their own.
#ifndef CAMBRIAN_KERNELS_DECLARATIONS_H_
#define CAMBRIAN_KERNELS_DECLARATIONS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cambrian::kernels {

inline constexpr int kMaxDeclarations = 256;
inline constexpr size_t kMaxDeclarationName = 64;
inline constexpr size_t kMaxDeclarationValue = 256;

// Name/value pairs in the order received (a repeated name keeps every
// occurrence; Find returns the last).
class Declarations {
 public:
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

  // The value of `name`, if declared.
  std::optional<std::string> Find(std::string_view name) const;
  // The value of `name` as a finite number. nullopt if absent; if present but
  // not a finite decimal number, nullopt and `*bad` (if given) set true.
  std::optional<double> FindNumber(std::string_view name, bool* bad = nullptr) const;

  // Adds a pair. False (and nothing added) when the name or value breaks the
  // rules below or the limit of kMaxDeclarations is reached.
  bool Add(std::string_view name, std::string_view value);

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

// Parses a payload. Every line must end with '\n' and read "NAME VALUE":
// NAME matches [A-Za-z_][A-Za-z0-9_.]{0,63}, one space, VALUE printable ASCII
// (0x20..0x7e), at most 256 characters (may be empty). At most 256 lines; an
// empty payload is no declarations. On failure returns nullopt and sets
// `*error` to a short reason naming the line.
[[nodiscard]] std::optional<Declarations> ParseDeclarations(std::string_view payload,
                                                            std::string* error);

// The payload for `declarations` ("" for none). Round-trips through
// ParseDeclarations, since Add admits only valid pairs.
std::string FormatDeclarations(const Declarations& declarations);

bool IsDeclarationName(std::string_view name);
bool IsDeclarationValue(std::string_view value);

}  // namespace cambrian::kernels

#endif  // CAMBRIAN_KERNELS_DECLARATIONS_H_
