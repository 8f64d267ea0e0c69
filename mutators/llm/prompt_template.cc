#include "mutators/llm/prompt_template.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/absl_compat.h"
#include "common/file_util.h"
#include "common/status_macros.h"
#include "mutators/llm/edit_format_internal.h"

namespace cambrian::mutators {
namespace {

int LineOf(const std::string& text, size_t offset) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + offset, '\n'));
}

bool OnlySpaces(const std::string& text, size_t begin, size_t end) {
  return std::all_of(text.begin() + begin, text.begin() + end,
                     [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

// For a section tag at [tag, after) alone on its line: the start of that line
// and the first byte of the next one, so the line vanishes when rendered.
bool Standalone(const std::string& text, size_t tag, size_t after, size_t* line_begin,
                size_t* line_end) {
  size_t newline = tag == 0 ? std::string::npos : text.rfind('\n', tag - 1);
  *line_begin = newline == std::string::npos ? 0 : newline + 1;
  size_t next = text.find('\n', after);
  *line_end = next == std::string::npos ? text.size() : next + 1;
  return OnlySpaces(text, *line_begin, tag) &&
         OnlySpaces(text, after, next == std::string::npos ? text.size() : next);
}

// Why `name` (written as `raw`) may not be used here; "" if it may.
std::string NameProblem(const std::string& name, const std::string& raw,
                        const std::vector<std::string>& allowed) {
  const std::vector<std::string>& known = KnownPlaceholders();
  if (std::find(known.begin(), known.end(), name) == known.end()) {
    return absl::StrCat("unknown placeholder ", raw, " (known: ", absl::StrJoin(known, ", "), ")");
  }
  if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
    return absl::StrCat("placeholder ", raw, " is not allowed in this file");
  }
  return "";
}

}  // namespace

const std::vector<std::string>& KnownPlaceholders() {
  static const std::vector<std::string>* const kNames = new std::vector<std::string>{
      "task_name",       "task_description", "task_instructions", "goal",
      "fitness",         "parent_code",      "parent_metrics",    "parent_fitness",
      "parent_feedback", "failure",          "inspirations",      "previous_rejection",
      "edit_format"};
  return *kNames;
}

absl::StatusOr<PromptTemplate> PromptTemplate::Parse(const std::string& text,
                                                     const std::string& source,
                                                     const std::vector<std::string>& allowed) {
  PromptTemplate parsed;
  parsed.source_ = source;
  auto error = [&](size_t offset, std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", LineOf(text, offset), ": ", Sv(why)));
  };
  std::vector<std::pair<size_t, size_t>> open;  // (piece index, offset) of open sections
  size_t pos = 0;
  while (pos < text.size()) {
    size_t tag = text.find("{{", pos);
    if (tag == std::string::npos) tag = text.size();
    size_t close = tag == text.size() ? tag : text.find("}}", tag + 2);
    if (close == std::string::npos) return error(tag, "{{ without a closing }}");
    std::string inner(internal::TrimWhitespace(
        std::string_view(text).substr(std::min(tag + 2, close), close - std::min(tag + 2, close))));
    Kind kind = Kind::kValue;
    if (!inner.empty() && (inner[0] == '#' || inner[0] == '^' || inner[0] == '/')) {
      kind = inner[0] == '#' ? Kind::kIfSet : inner[0] == '^' ? Kind::kIfEmpty : Kind::kEnd;
      inner = std::string(internal::TrimWhitespace(std::string_view(inner).substr(1)));
    }
    size_t after = std::min(close + 2, text.size()), text_end = tag;
    size_t line_begin = 0, line_end = 0;
    if (tag < text.size() && kind != Kind::kValue &&
        Standalone(text, tag, after, &line_begin, &line_end) && line_begin >= pos) {
      text_end = line_begin;
      after = line_end;
    }
    if (text_end > pos) parsed.pieces_.push_back({Kind::kText, text.substr(pos, text_end - pos)});
    pos = after;
    if (tag == text.size()) break;
    std::string problem = NameProblem(inner, text.substr(tag, close + 2 - tag), allowed);
    if (!problem.empty()) return error(tag, problem);
    parsed.placeholders_.insert(inner);
    if (kind == Kind::kEnd) {
      if (open.empty()) return error(tag, absl::StrCat("{{/", inner, "}} closes no section"));
      Piece& opener = parsed.pieces_[open.back().first];
      if (opener.text != inner) {
        return error(tag, absl::StrCat("{{/", inner, "}} closes the section {{", opener.text,
                                       "}} opened on line ", LineOf(text, open.back().second)));
      }
      opener.end = parsed.pieces_.size();
      open.pop_back();
    } else if (kind != Kind::kValue) {
      open.push_back({parsed.pieces_.size(), tag});
    }
    parsed.pieces_.push_back({kind, inner});
  }
  if (!open.empty()) {
    return error(open.back().second,
                 absl::StrCat("the section {{", parsed.pieces_[open.back().first].text,
                              "}} is never closed"));
  }
  return parsed;
}

std::string PromptTemplate::Render(const std::map<std::string, std::string>& values) const {
  auto value = [&](const std::string& name) -> std::string_view {
    auto it = values.find(name);
    return it == values.end() ? std::string_view() : std::string_view(it->second);
  };
  std::string out;
  for (size_t i = 0; i < pieces_.size(); ++i) {
    const Piece& piece = pieces_[i];
    switch (piece.kind) {
      case Kind::kText:
        out += piece.text;
        break;
      case Kind::kValue:
        out += value(piece.text);
        break;
      case Kind::kIfSet:
        if (internal::IsBlank(value(piece.text))) i = piece.end;
        break;
      case Kind::kIfEmpty:
        if (!internal::IsBlank(value(piece.text))) i = piece.end;
        break;
      case Kind::kEnd:
        break;
    }
  }
  return out;
}

absl::StatusOr<PromptSet> LoadPromptSet(const std::filesystem::path& dir) {
  std::vector<std::string> no_format;
  for (const std::string& name : KnownPlaceholders()) {
    if (name != "edit_format") no_format.push_back(name);
  }
  PromptSet set;
  const std::tuple<const char*, PromptTemplate*, const std::vector<std::string>*> files[] = {
      {"system.txt", &set.system, &KnownPlaceholders()},
      {"diff.txt", &set.diff, &KnownPlaceholders()},
      {"rewrite.txt", &set.rewrite, &KnownPlaceholders()},
      {"repair.txt", &set.repair, &KnownPlaceholders()},
      {"edit_format_diff.txt", &set.edit_format_diff, &no_format},
      {"edit_format_rewrite.txt", &set.edit_format_rewrite, &no_format}};
  for (const auto& [name, slot, allowed] : files) {
    std::filesystem::path path = dir / name;
    absl::StatusOr<std::string> text = ReadFile(path);
    if (!text.ok()) {
      return absl::NotFoundError(
          absl::StrCat("prompt template ", path.string(), ": ", text.status().message()));
    }
    CAMBRIAN_ASSIGN_OR_RETURN(*slot, PromptTemplate::Parse(*text, path.string(), *allowed));
  }
  return set;
}

}  // namespace cambrian::mutators
