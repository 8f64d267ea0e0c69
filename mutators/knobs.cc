#include "mutators/knobs.h"

#include <algorithm>
#include <optional>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "mutators/edit_policy.h"
#include "mutators/knob_literal.h"
#include "mutators/knob_parse.h"

namespace cambrian::mutators {
namespace {

std::vector<std::string> SplitSequence(const std::string& value) {
  if (value.empty()) return {};
  return absl::StrSplit(value, ',');
}

bool InsideSomeBlock(const std::vector<Region>& blocks, int line) {
  return std::any_of(blocks.begin(), blocks.end(), [line](const Region& block) {
    return line > block.start_line && line < block.end_line;
  });
}

// Every error of every line, so a user fixes a seed in one pass.
absl::Status JoinErrors(const std::vector<std::string>& errors) {
  if (errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(errors, "; "));
}

}  // namespace

absl::StatusOr<std::vector<Knob>> FindKnobsInFile(const std::string& path,
                                                  const std::string& content) {
  absl::StatusOr<std::vector<Region>> blocks = EvolveBlocks(content);
  if (!blocks.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", blocks.status().message()));
  }
  std::vector<Knob> knobs;
  std::vector<std::string> errors;
  int line_no = 1;
  for (size_t begin = 0; begin < content.size(); ++line_no) {
    size_t newline = content.find('\n', begin);
    size_t next = newline == std::string::npos ? content.size() : newline + 1;
    size_t line_begin = begin;
    begin = next;
    if (!blocks->empty() && !InsideSomeBlock(*blocks, line_no)) continue;
    std::string line = content.substr(line_begin, next - line_begin);
    if (line.find("@knob") == std::string::npos) continue;
    if (!line.empty() && line.back() == '\n') line.pop_back();
    absl::StatusOr<std::optional<Knob>> knob =
        internal::ParseKnobLine(path, line_no, line, line_begin);
    if (!knob.ok()) {
      errors.emplace_back(knob.status().message());
    } else if (knob->has_value()) {
      knobs.push_back(std::move(**knob));
    }
  }
  if (!errors.empty()) return JoinErrors(errors);
  return knobs;
}

absl::StatusOr<std::vector<Knob>> FindKnobs(const Program& program,
                                            const std::vector<std::string>& editable) {
  std::vector<Knob> knobs;
  std::vector<std::string> errors;
  for (const auto& [path, content] : program) {
    if (!MatchesAnyGlob(path, editable)) continue;
    absl::StatusOr<std::vector<Knob>> found = FindKnobsInFile(path, content);
    if (!found.ok()) {
      errors.emplace_back(found.status().message());
      continue;
    }
    for (Knob& knob : *found) knobs.push_back(std::move(knob));
  }
  if (!errors.empty()) return JoinErrors(errors);
  return knobs;
}

absl::Status ValidateKnobValue(const Knob& knob, const std::string& value) {
  auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("'", value, "' ", why));
  };
  switch (knob.kind) {
    case KnobKind::kChoices:
      if (std::find(knob.choices.begin(), knob.choices.end(), value) == knob.choices.end()) {
        return invalid(absl::StrCat("is not one of ", absl::StrJoin(knob.choices, ",")));
      }
      return absl::OkStatus();
    case KnobKind::kIntRange: {
      int64_t v = 0;
      if (!internal::ParseInt(value, &v)) return invalid("is not an integer");
      if (v < knob.int_lo || v > knob.int_hi) {
        return invalid(absl::StrCat("is outside ", knob.int_lo, "..", knob.int_hi));
      }
      return absl::OkStatus();
    }
    case KnobKind::kRealRange: {
      double v = 0;
      if (!internal::ParseReal(value, &v)) return invalid("is not a decimal number");
      if (v < knob.real_lo || v > knob.real_hi) {
        return invalid(absl::StrCat("is outside ", knob.real_lo, "..", knob.real_hi));
      }
      return absl::OkStatus();
    }
    case KnobKind::kSequence: {
      std::vector<std::string> elements = SplitSequence(value);
      int n = static_cast<int>(elements.size());
      if (n < knob.min_len || n > knob.max_len) {
        return invalid(
            absl::StrCat("has ", n, " elements, not ", knob.min_len, "..", knob.max_len));
      }
      for (const std::string& element : elements) {
        if (std::find(knob.tokens.begin(), knob.tokens.end(), element) == knob.tokens.end()) {
          return invalid(
              absl::StrCat("holds '", element, "', not one of ", absl::StrJoin(knob.tokens, ",")));
        }
      }
      return absl::OkStatus();
    }
  }
  return absl::InternalError("unknown knob kind");
}

bool KnobCanChange(const Knob& knob) {
  switch (knob.kind) {
    case KnobKind::kChoices:
      return knob.choices.size() >= 2;
    case KnobKind::kIntRange:
      return knob.int_lo < knob.int_hi;
    case KnobKind::kRealRange:
      return knob.real_lo < knob.real_hi;
    case KnobKind::kSequence: {
      int n = static_cast<int>(knob.elements.size());
      return n < knob.max_len || n > knob.min_len || (n >= 1 && knob.tokens.size() >= 2);
    }
  }
  return false;
}

absl::StatusOr<Program> SetKnobValue(const Program& program, const Knob& knob,
                                     const std::string& new_value) {
  return SetKnobValues(program, {{&knob, new_value}});
}

absl::StatusOr<Program> SetKnobValues(const Program& program,
                                      const std::vector<KnobAssignment>& assignments) {
  std::vector<const KnobAssignment*> order;
  for (const KnobAssignment& assignment : assignments) {
    const Knob& knob = *assignment.knob;
    std::string where = absl::StrCat(knob.file, ":", knob.line);
    absl::Status valid = ValidateKnobValue(knob, assignment.new_value);
    if (!valid.ok()) return Annotate(valid, where);
    auto file = program.find(knob.file);
    if (file == program.end() || file->second.size() < knob.value_end ||
        file->second.compare(knob.value_begin, knob.literal.size(), knob.literal) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(where, ": the program no longer holds ", knob.literal, " there"));
    }
    order.push_back(&assignment);
  }
  // Rewrite back to front so earlier spans in the same file stay valid.
  std::sort(order.begin(), order.end(), [](const KnobAssignment* a, const KnobAssignment* b) {
    return std::tie(a->knob->file, a->knob->value_begin) >
           std::tie(b->knob->file, b->knob->value_begin);
  });
  Program result = program;
  for (size_t i = 0; i < order.size(); ++i) {
    const Knob& knob = *order[i]->knob;
    if (i > 0 && order[i - 1]->knob->file == knob.file &&
        order[i - 1]->knob->value_begin < knob.value_end) {
      return absl::InvalidArgumentError(
          absl::StrCat(knob.file, ":", knob.line, ": two assignments to overlapping knobs"));
    }
    result[knob.file].replace(knob.value_begin, knob.value_end - knob.value_begin,
                              internal::WriteLiteral(knob, order[i]->new_value));
  }
  return result;
}

std::string DescribeKnobChange(const Knob& knob, const std::string& new_value) {
  auto show = [&](const std::string& value) {
    return knob.kind == KnobKind::kSequence ? absl::StrCat("[", value, "]") : value;
  };
  return absl::StrCat(knob.name, " ", show(knob.value), " -> ", show(new_value), " (", knob.file,
                      ":", knob.line, ")");
}

}  // namespace cambrian::mutators
