// Finding the one place a SEARCH section matches, with growing tolerance.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/absl_compat.h"
#include "mutators/llm/edit_format_internal.h"

namespace cambrian::mutators::internal {
namespace {

enum class Level { kExact, kTrailing, kIndent };

std::string_view RightTrim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view Indent(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && (s[n] == ' ' || s[n] == '\t')) ++n;
  return s.substr(0, n);
}

// How matched lines' indentation differs from the SEARCH lines': the file
// has `add` more in front, or `remove` less.
struct Reindent {
  std::string add;
  std::string remove;
  bool operator==(const Reindent&) const = default;
};

// The indentation difference of one non-blank line pair, if the lines are
// equal apart from it.
std::optional<Reindent> LineDelta(std::string_view file, std::string_view search) {
  if (TrimWhitespace(file) != TrimWhitespace(search)) return std::nullopt;
  std::string_view fi = Indent(file), si = Indent(search);
  if (fi.size() >= si.size() && fi.substr(fi.size() - si.size()) == si) {
    return Reindent{std::string(fi.substr(0, fi.size() - si.size())), ""};
  }
  if (si.size() > fi.size() && si.substr(si.size() - fi.size()) == fi) {
    return Reindent{"", std::string(si.substr(0, si.size() - fi.size()))};
  }
  return std::nullopt;
}

// Whether `search` matches `lines` at `at`; for kIndent, with which delta.
std::optional<Reindent> MatchAt(const std::vector<std::string>& lines, size_t at,
                                const std::vector<std::string>& search, Level level) {
  std::optional<Reindent> delta;
  for (size_t k = 0; k < search.size(); ++k) {
    const std::string& f = lines[at + k];
    const std::string& s = search[k];
    if (level == Level::kExact) {
      if (f != s) return std::nullopt;
    } else if (level == Level::kTrailing || (IsBlank(f) && IsBlank(s))) {
      if (RightTrim(f) != RightTrim(s)) return std::nullopt;
    } else {
      std::optional<Reindent> d = LineDelta(f, s);
      if (!d || (delta && *delta != *d)) return std::nullopt;
      delta = d;
    }
  }
  return delta.value_or(Reindent{});
}

std::string ReindentLine(const std::string& line, const Reindent& delta) {
  if (IsBlank(line)) return line;
  if (!delta.add.empty()) return delta.add + line;
  size_t strip = std::min(delta.remove.size(), Indent(line).size());
  return line.substr(strip);
}

std::string Join(const std::vector<std::string>& lines, bool final_newline,
                 std::string_view newline) {
  std::string out = absl::StrJoin(lines, Sv(newline));
  if (final_newline && !lines.empty()) out += newline;
  return out;
}

}  // namespace

absl::StatusOr<std::string> ReplaceOnce(const std::string& content, const std::string& search,
                                        const std::string& replace) {
  std::vector<std::string> lines = ReplyLines(content);
  std::vector<std::string> wanted = ReplyLines(search);
  std::vector<std::string> with = ReplyLines(replace);
  bool final_newline = content.empty() || content.back() == '\n';
  // ReplyLines drops '\r'; a CRLF file keeps its line endings.
  std::string_view newline = content.find("\r\n") != std::string::npos ? "\r\n" : "\n";
  if (wanted.empty()) return absl::FailedPreconditionError("empty SEARCH section");
  for (Level level : {Level::kExact, Level::kTrailing, Level::kIndent}) {
    std::vector<size_t> found;
    Reindent delta;
    for (size_t at = 0; at + wanted.size() <= lines.size(); ++at) {
      std::optional<Reindent> d = MatchAt(lines, at, wanted, level);
      if (!d) continue;
      found.push_back(at);
      delta = *d;
    }
    if (found.empty()) continue;
    if (found.size() > 1) {
      std::vector<std::string> where;
      for (size_t at : found) where.push_back(absl::StrCat(at + 1));
      return absl::FailedPreconditionError(
          absl::StrCat("SEARCH matches ", found.size(), " places (starting on lines ",
                       absl::StrJoin(where, ", "),
                       "); include more surrounding lines so it matches exactly one"));
    }
    std::vector<std::string> out(lines.begin(), lines.begin() + found[0]);
    for (const std::string& line : with) out.push_back(ReindentLine(line, delta));
    out.insert(out.end(), lines.begin() + found[0] + wanted.size(), lines.end());
    return Join(out, final_newline, newline);
  }
  return absl::FailedPreconditionError(
      "SEARCH matches nowhere in the file (not even ignoring whitespace and indentation); "
      "copy the lines exactly as the file has them");
}

}  // namespace cambrian::mutators::internal
