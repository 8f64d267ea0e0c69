// Internal to the mutators module: locating the literal a knob annotates in
// the code part of its line, and writing a new value back in the same style.
#ifndef CAMBRIAN_MUTATORS_KNOB_LITERAL_H_
#define CAMBRIAN_MUTATORS_KNOB_LITERAL_H_

#include <string>

#include "absl/status/status.h"
#include "mutators/knobs.h"

namespace cambrian::mutators::internal {

// Reads the literal after the last '=' (or ':' if the code has no '=') of
// `code`, the part of the line before the annotation's comment, or the VALUE
// of "#define NAME VALUE". `knob->kind`
// must be set. Fills name, literal, value, elements, quote, suffix, the
// sequence style fields, and value_begin/value_end as offsets into `code`.
// InvalidArgument saying what is missing (no '=', no value, unclosed quote or
// list).
[[nodiscard]] absl::Status ReadLiteral(const std::string& code, bool sequence, Knob* knob);

// The text that replaces knob.literal to hold the logical value `value`.
std::string WriteLiteral(const Knob& knob, const std::string& value);

}  // namespace cambrian::mutators::internal

#endif  // CAMBRIAN_MUTATORS_KNOB_LITERAL_H_
