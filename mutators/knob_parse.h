// Internal to the mutators module: reading one source line's @knob annotation
// and the literal it annotates. knobs.h is the public face.
#ifndef CAMBRIAN_MUTATORS_KNOB_PARSE_H_
#define CAMBRIAN_MUTATORS_KNOB_PARSE_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "mutators/knobs.h"

namespace cambrian::mutators::internal {

// Parses `line` (without its '\n'), line number `line_no` of `path`, whose
// first byte is at `line_offset` in the file. nullopt if the line carries no
// annotation (no "@knob" right after a comment leader); InvalidArgument
// "path:line: why" if it carries a malformed one.
[[nodiscard]] absl::StatusOr<std::optional<Knob>> ParseKnobLine(const std::string& path,
                                                                int line_no,
                                                                const std::string& line,
                                                                size_t line_offset);

// Strict decimal parsing of whole strings: an optional sign, digits, and for
// reals an optional fraction and exponent. No hex, inf or nan.
bool ParseInt(const std::string& text, int64_t* out);
bool ParseReal(const std::string& text, double* out);

// Shortest "%.{4..17}g" text of `v` that reads back within [lo, hi] and
// within (hi - lo) / 1000 of `v`, always
// with a '.' or an exponent so it stays a real literal in typed languages.
std::string FormatReal(double v, double lo, double hi);

}  // namespace cambrian::mutators::internal

#endif  // CAMBRIAN_MUTATORS_KNOB_PARSE_H_
