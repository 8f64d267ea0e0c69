// "Did you mean" hints: the closest of a few known names to a mistyped one,
// by Levenshtein distance (config keys, subcommands, knob names).
#ifndef CAMBRIAN_COMMON_DID_YOU_MEAN_H_
#define CAMBRIAN_COMMON_DID_YOU_MEAN_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cambrian {

// Insertions, deletions and substitutions that turn `a` into `b`.
size_t EditDistance(std::string_view a, std::string_view b);

// The first of `known` closest to `word`, if at most `max_distance` away.
std::optional<std::string> ClosestName(std::string_view word,
                                       const std::vector<std::string_view>& known,
                                       size_t max_distance = 2);

}  // namespace cambrian

#endif  // CAMBRIAN_COMMON_DID_YOU_MEAN_H_
