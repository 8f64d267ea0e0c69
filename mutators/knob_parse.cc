#include "mutators/knob_parse.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "mutators/knob_literal.h"

namespace cambrian::mutators::internal {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// The comment leader ending at `end` (exclusive), or npos. Two-character
// leaders first, so "//" is not read as a lone '/'.
size_t LeaderStart(const std::string& line, size_t end) {
  for (std::string_view leader : {"//", "/*", "--", "#", ";"}) {
    if (end >= leader.size() &&
        std::string_view(line).substr(end - leader.size(), leader.size()) == leader) {
      return end - leader.size();
    }
  }
  return std::string::npos;
}

struct Annotation {
  bool sequence = false;
  size_t comment_start = 0;            // where the code part ends
  std::vector<std::string> arguments;  // "choices=...", "range=...", "log", ...
};

// Finds "@knob"/"@knob-seq" directly after a comment leader. Text such as
// "@knobs" or an "@knob" in prose is not an annotation.
absl::StatusOr<std::optional<Annotation>> FindAnnotation(const std::string& line) {
  size_t at = line.find("@knob");
  if (at == std::string::npos) return std::nullopt;
  size_t before = at;
  while (before > 0 && IsSpace(line[before - 1])) --before;
  size_t leader = LeaderStart(line, before);
  if (leader == std::string::npos) return std::nullopt;
  Annotation annotation;
  annotation.comment_start = leader;
  size_t rest = at + 5;
  if (rest < line.size() && line[rest] == '-') {
    size_t word_end = line.find_first_of(" \t\r", rest);
    std::string kind = line.substr(at, word_end == std::string::npos ? word_end : word_end - at);
    if (kind != "@knob-seq") return absl::InvalidArgumentError(absl::StrCat("unknown kind ", kind));
    annotation.sequence = true;
    rest = at + kind.size();
  } else if (rest < line.size() && !IsSpace(line[rest]) && line[rest] != '*') {
    return std::nullopt;
  }
  std::string args = line.substr(rest);
  if (size_t close = args.find("*/"); close != std::string::npos) args.resize(close);
  for (absl::string_view word : absl::StrSplit(args, absl::ByAnyChar(" \t\r"), absl::SkipEmpty())) {
    annotation.arguments.emplace_back(word);
  }
  return annotation;
}

// "a..b" -> {a, b}.
absl::StatusOr<std::pair<std::string, std::string>> SplitBounds(const std::string& key,
                                                                const std::string& text) {
  size_t dots = text.find("..");
  if (dots == std::string::npos || dots == 0 || dots + 2 >= text.size()) {
    return absl::InvalidArgumentError(absl::StrCat(key, "=", text, " is not of the form a..b"));
  }
  return std::make_pair(text.substr(0, dots), text.substr(dots + 2));
}

absl::Status ParseRange(const std::string& text, Knob* knob) {
  CAMBRIAN_ASSIGN_OR_RETURN(auto bounds, SplitBounds("range", text));
  bool real = (bounds.first + bounds.second).find_first_of(".eE") != std::string::npos;
  if (real) {
    knob->kind = KnobKind::kRealRange;
    if (!ParseReal(bounds.first, &knob->real_lo) || !ParseReal(bounds.second, &knob->real_hi)) {
      return absl::InvalidArgumentError(absl::StrCat("range=", text, " has a non-numeric bound"));
    }
    if (knob->real_lo > knob->real_hi) {
      return absl::InvalidArgumentError(absl::StrCat("range=", text, " has a > b"));
    }
    return absl::OkStatus();
  }
  knob->kind = KnobKind::kIntRange;
  if (!ParseInt(bounds.first, &knob->int_lo) || !ParseInt(bounds.second, &knob->int_hi)) {
    return absl::InvalidArgumentError(absl::StrCat("range=", text, " has a non-integer bound"));
  }
  // Bounded well inside int64 so that steps and spans cannot overflow.
  constexpr int64_t kLimit = int64_t{1} << 61;
  if (std::max(std::abs(knob->int_lo), std::abs(knob->int_hi)) >= kLimit) {
    return absl::InvalidArgumentError(absl::StrCat("range=", text, " exceeds +-2^61"));
  }
  if (knob->int_lo > knob->int_hi) {
    return absl::InvalidArgumentError(absl::StrCat("range=", text, " has a > b"));
  }
  return absl::OkStatus();
}

// Comma list -> distinct non-empty items, in order.
absl::StatusOr<std::vector<std::string>> ParseList(const std::string& key,
                                                   const std::string& text) {
  std::vector<std::string> items;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    if (std::find(items.begin(), items.end(), item) == items.end()) items.emplace_back(item);
  }
  if (items.empty()) return absl::InvalidArgumentError(absl::StrCat(key, "= is empty"));
  return items;
}

absl::Status ParseLen(const std::string& text, Knob* knob) {
  CAMBRIAN_ASSIGN_OR_RETURN(auto bounds, SplitBounds("len", text));
  int64_t lo = 0, hi = 0;
  if (!ParseInt(bounds.first, &lo) || !ParseInt(bounds.second, &hi) || lo < 0 || lo > hi ||
      hi > 1 << 20) {
    return absl::InvalidArgumentError(
        absl::StrCat("len=", text, " needs integers 0 <= a <= b <= 1048576"));
  }
  knob->min_len = static_cast<int>(lo);
  knob->max_len = static_cast<int>(hi);
  return absl::OkStatus();
}

// Fills the knob's kind and domain from the annotation's arguments.
absl::Status ParseDomain(const Annotation& annotation, Knob* knob) {
  bool has_domain = false, has_len = false;
  for (const std::string& argument : annotation.arguments) {
    size_t eq = argument.find('=');
    std::string key = argument.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : argument.substr(eq + 1);
    if (key == "log" && eq == std::string::npos && !annotation.sequence) {
      knob->log = true;
    } else if (key == "choices" && !annotation.sequence && !has_domain) {
      knob->kind = KnobKind::kChoices;
      CAMBRIAN_ASSIGN_OR_RETURN(knob->choices, ParseList(key, value));
      has_domain = true;
    } else if (key == "range" && !annotation.sequence && !has_domain) {
      CAMBRIAN_RETURN_IF_ERROR(ParseRange(value, knob));
      has_domain = true;
    } else if (key == "tokens" && annotation.sequence && !has_domain) {
      knob->kind = KnobKind::kSequence;
      CAMBRIAN_ASSIGN_OR_RETURN(knob->tokens, ParseList(key, value));
      has_domain = true;
    } else if (key == "len" && annotation.sequence && !has_len) {
      CAMBRIAN_RETURN_IF_ERROR(ParseLen(value, knob));
      has_len = true;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unexpected or repeated '", argument, "'"));
    }
  }
  if (!has_domain) {
    return absl::InvalidArgumentError(annotation.sequence ? "@knob-seq needs tokens=..."
                                                          : "@knob needs choices=... or range=...");
  }
  if (annotation.sequence && !has_len) knob->min_len = 1, knob->max_len = 64;
  if (knob->log && knob->kind == KnobKind::kChoices) {
    return absl::InvalidArgumentError("log applies only to range=");
  }
  bool positive = knob->kind == KnobKind::kIntRange ? knob->int_lo > 0 : knob->real_lo > 0;
  if (knob->log && !positive) return absl::InvalidArgumentError("log needs a range above 0");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::optional<Knob>> ParseKnobLine(const std::string& path, int line_no,
                                                  const std::string& line, size_t line_offset) {
  std::string where = absl::StrCat(path, ":", line_no);
  auto with_where = [&](const absl::Status& status) { return Annotate(status, where); };
  absl::StatusOr<std::optional<Annotation>> annotation = FindAnnotation(line);
  if (!annotation.ok()) return with_where(annotation.status());
  if (!annotation->has_value()) return std::nullopt;
  Knob knob;
  knob.file = path;
  knob.line = line_no;
  if (absl::Status s = ParseDomain(**annotation, &knob); !s.ok()) return with_where(s);
  std::string code = line.substr(0, (*annotation)->comment_start);
  if (absl::Status s = ReadLiteral(code, (*annotation)->sequence, &knob); !s.ok()) {
    return with_where(s);
  }
  knob.value_begin += line_offset;
  knob.value_end += line_offset;
  if (knob.name.empty()) knob.name = where;
  if (absl::Status s = ValidateKnobValue(knob, knob.value); !s.ok()) {
    return with_where(
        absl::InvalidArgumentError(absl::StrCat("current value is not valid: ", s.message())));
  }
  return knob;
}

bool ParseInt(const std::string& text, int64_t* out) {
  size_t i = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
  if (i == text.size() || text.size() > 19 + i) return false;
  for (size_t j = i; j < text.size(); ++j) {
    if (text[j] < '0' || text[j] > '9') return false;
  }
  errno = 0;
  *out = std::strtoll(text.c_str(), nullptr, 10);
  return errno != ERANGE;
}

bool ParseReal(const std::string& text, double* out) {
  size_t i = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
  size_t digits = 0;
  auto skip_digits = [&] {
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++digits;
  };
  skip_digits();
  if (i < text.size() && text[i] == '.') ++i, skip_digits();
  if (digits == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    size_t before = digits;
    skip_digits();
    if (digits == before) return false;
  }
  if (i != text.size()) return false;
  *out = std::strtod(text.c_str(), nullptr);
  return std::isfinite(*out);
}

std::string FormatReal(double v, double lo, double hi) {
  std::string text;
  for (int precision = 4; precision <= 17; ++precision) {
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "%.*g", precision, v);
    text = buffer;
    double back = 0;
    // Four digits at least; more when the range is so narrow that rounding
    // would move the value by more than a thousandth of it.
    if (ParseReal(text, &back) && back >= lo && back <= hi &&
        std::abs(back - v) <= (hi - lo) / 1000) {
      break;
    }
  }
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

}  // namespace cambrian::mutators::internal
