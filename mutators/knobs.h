// Knobs: tunable literals that a program declares in its own comments, so the
// offline mutators can change them without knowing the language.
//
//   constexpr int kTileI = 32;  // @knob choices=8,16,32,64,128
//   UNROLL = 4  # @knob range=1..8
//   lr = 3e-3  # @knob range=1e-4..1e-2 log
//   PATTERN = ["attn", "mlp"]  # @knob-seq tokens=attn,ssm,mlp,moe len=2..12
//
// The full syntax is in docs/knobs.md. All functions here are pure and
// thread-compatible.
#ifndef CAMBRIAN_MUTATORS_KNOBS_H_
#define CAMBRIAN_MUTATORS_KNOBS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/program.h"

namespace cambrian::mutators {

enum class KnobKind { kChoices, kIntRange, kRealRange, kSequence };

// One annotated literal in one file, as found by FindKnobs.
struct Knob {
  std::string file;  // program path
  int line = 0;      // 1-based line of the annotation (and of the literal)
  std::string name;  // identifier before the '=' or ':', else "file:line"
  KnobKind kind = KnobKind::kChoices;

  std::vector<std::string> choices;  // kChoices: the allowed values, in order
  int64_t int_lo = 0, int_hi = 0;    // kIntRange: inclusive bounds
  double real_lo = 0, real_hi = 0;   // kRealRange: inclusive bounds
  bool log = false;                  // kIntRange/kRealRange: sample log-uniformly
  std::vector<std::string> tokens;   // kSequence: the allowed elements
  int min_len = 0, max_len = 0;      // kSequence: inclusive length bounds

  // The current logical value: the scalar without its quotes, or for a
  // sequence the unquoted elements joined by ',' (e.g. "attn,mlp").
  std::string value;
  std::vector<std::string> elements;  // kSequence: the current elements

  // Where the literal sits: bytes [value_begin, value_end) of the file hold
  // `literal` exactly (for a sequence, the whole bracketed list).
  size_t value_begin = 0, value_end = 0;
  std::string literal;

  // How to write a new value the way the original was written.
  char quote = 0;               // '"', '\'' or '`' around scalars / elements; 0 = bare
  std::string suffix;           // numeric type suffix kept as is ("f" in 1.5f, "u" in 8u)
  std::string open, close;      // kSequence: "[" / "]" with any inner padding
  std::string separator;        // kSequence: ", " or "," as in the original
  bool trailing_comma = false;  // kSequence: the original ended with ','
};

// The knobs of every file of `program` that matches one of the `editable`
// globs (see edit_policy.h), in path then line order. In a file with
// EVOLVE-BLOCK markers only annotations strictly inside a block count.
// InvalidArgument naming "file:line" for every malformed annotation (unknown
// kind, empty choices, a > b, an unparseable current value, a value outside
// its declared domain) or unbalanced markers; the messages are joined by "; ".
[[nodiscard]] absl::StatusOr<std::vector<Knob>> FindKnobs(const Program& program,
                                                          const std::vector<std::string>& editable);

// The knobs of one file's content, ignoring editable globs but honouring
// EVOLVE-BLOCK markers. Errors as FindKnobs.
[[nodiscard]] absl::StatusOr<std::vector<Knob>> FindKnobsInFile(const std::string& path,
                                                                const std::string& content);

// OK if `value` (a logical value, as Knob::value) lies in the knob's declared
// domain; InvalidArgument saying why not otherwise.
[[nodiscard]] absl::Status ValidateKnobValue(const Knob& knob, const std::string& value);

// True if the knob's domain holds a value other than its current one.
bool KnobCanChange(const Knob& knob);

// `program` with the knob's literal rewritten to hold `new_value` (a logical
// value, as Knob::value), keeping quotes, suffix, brackets and separators.
// InvalidArgument if the value is outside the domain; FailedPrecondition if
// the program no longer holds the knob's literal at its span (a stale Knob).
[[nodiscard]] absl::StatusOr<Program> SetKnobValue(const Program& program, const Knob& knob,
                                                   const std::string& new_value);

struct KnobAssignment {
  const Knob* knob = nullptr;  // not owned; must outlive the call
  std::string new_value;
};

// Several SetKnobValue at once (spans found on the same program do not shift
// one another). Same errors; InvalidArgument if two assignments overlap.
[[nodiscard]] absl::StatusOr<Program> SetKnobValues(const Program& program,
                                                    const std::vector<KnobAssignment>& assignments);

// "kTileI 32 -> 64 (matmul.cpp:14)"; sequences print as [a,b,c].
std::string DescribeKnobChange(const Knob& knob, const std::string& new_value);

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_KNOBS_H_
