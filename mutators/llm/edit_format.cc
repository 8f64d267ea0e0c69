#include "mutators/llm/edit_format.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/absl_compat.h"
#include "common/glob.h"
#include "mutators/edit_policy.h"
#include "mutators/llm/edit_format_internal.h"

namespace cambrian::mutators {
namespace internal {
namespace {

bool IsMarker(std::string_view line, char c, std::string_view word) {
  line = TrimWhitespace(line);
  size_t n = 0;
  while (n < line.size() && line[n] == c) ++n;
  if (n < 5 || n > 9) return false;
  return TrimWhitespace(line.substr(n)) == word;
}

bool IsPathChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
         c == '/' || c == '+' || c == '@';
}

bool PathShaped(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), IsPathChar) &&
         name.find_first_of("./") != std::string_view::npos &&
         std::any_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

// `token` without the decoration LLMs put around names: `x`, **x**, "x", x:.
std::string_view Undecorate(std::string_view token) {
  token = TrimWhitespace(token);
  auto strip = [](char c) {
    return c == '`' || c == '*' || c == '"' || c == '\'' || c == '(' || c == ')' || c == '[' ||
           c == ']' || c == ':' || c == ',' || c == ';';
  };
  while (!token.empty() && strip(token.front())) token.remove_prefix(1);
  while (!token.empty() && (strip(token.back()) || token.back() == '.')) token.remove_suffix(1);
  return token;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> ReplyLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t newline = text.find('\n', begin);
    size_t end = newline == std::string::npos ? text.size() : newline;
    size_t stop = (end > begin && text[end - 1] == '\r') ? end - 1 : end;
    lines.emplace_back(text, begin, stop - begin);
    begin = newline == std::string::npos ? text.size() : newline + 1;
  }
  return lines;
}

std::string_view TrimWhitespace(std::string_view text) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

bool IsBlank(std::string_view line) { return TrimWhitespace(line).empty(); }

int FenceLength(std::string_view line) {
  line = TrimWhitespace(line);
  int n = 0;
  while (n < static_cast<int>(line.size()) && line[n] == '`') ++n;
  return n >= 3 ? n : 0;
}

bool HasFence(const std::string& reply) {
  for (const std::string& line : ReplyLines(reply)) {
    if (FenceLength(line) > 0) return true;
  }
  return false;
}

std::optional<std::string> PathFromLine(std::string_view line, const Program& program) {
  std::string_view s = TrimWhitespace(line);
  int fence = FenceLength(s);
  s.remove_prefix(static_cast<size_t>(fence));
  while (!s.empty() && (s.front() == '#' || s.front() == ' ')) s.remove_prefix(1);
  for (std::string_view label : {"file:", "filename:", "path:", "file "}) {
    if (StartsWithNoCase(s, label)) s.remove_prefix(label.size());
  }
  std::string_view whole = Undecorate(s);
  if (program.count(std::string(whole))) return std::string(whole);
  // Prose or a fence info string ("cpp src/x.cpp") that names a file.
  std::vector<std::string> tokens;
  for (size_t begin = 0; begin < s.size();) {
    size_t end = s.find_first_of(" \t", begin);
    if (end == std::string_view::npos) end = s.size();
    std::string token(Undecorate(s.substr(begin, end - begin)));
    if (program.count(token)) return token;
    if (!token.empty()) tokens.push_back(std::move(token));
    begin = end + 1;
  }
  if (PathShaped(whole)) return std::string(whole);
  // In a fence's info string a path-shaped word after the language is meant
  // as a path, even one the program lacks (the caller rejects it by name).
  if (fence > 0 && tokens.size() > 1 && PathShaped(tokens.back())) return tokens.back();
  return std::nullopt;
}

std::string EditableList(const Program& program, const std::vector<std::string>& editable) {
  std::vector<std::string> names;
  for (const auto& [path, content] : program) {
    if (MatchesAnyGlob(path, editable)) names.push_back(path);
  }
  return names.empty() ? "none" : absl::StrJoin(names, ", ");
}

}  // namespace internal

namespace {

using internal::IsBlank;
using internal::TrimWhitespace;

absl::Status Reject(std::string_view label, std::string_view why) {
  return absl::FailedPreconditionError(absl::StrCat(Sv(label), ": ", Sv(why)));
}

// `block 2 (matmul.cpp, SEARCH starting "for (int i = 0; ...")`.
std::string BlockLabel(int number, const std::string& path, const std::string& search) {
  std::string first;
  for (const std::string& line : internal::ReplyLines(search)) {
    if (IsBlank(line)) continue;
    first = std::string(TrimWhitespace(line));
    break;
  }
  if (first.size() > 60) first = first.substr(0, 57) + "...";
  return absl::StrCat(
      "block ", number, " (", path.empty() ? "no file named" : path,
      first.empty() ? ", empty SEARCH" : absl::StrCat(", SEARCH starting \"", first, "\""), ")");
}

// The path named on the lines just before line `at` (skipping blank lines and
// fences), or "" if the nearest other line names no file.
std::string PathBefore(const std::vector<std::string>& lines, size_t at, const Program& program) {
  while (at > 0) {
    const std::string& line = lines[--at];
    if (IsBlank(line)) continue;
    if (internal::IsMarker(line, '>', "REPLACE")) return "";
    std::optional<std::string> path = internal::PathFromLine(line, program);
    if (path) return *path;
    if (internal::FenceLength(line) == 0) return "";
  }
  return "";
}

}  // namespace

std::string EditModeName(EditMode mode) { return mode == EditMode::kDiff ? "diff" : "rewrite"; }

absl::StatusOr<std::vector<SearchReplaceBlock>> ParseSearchReplace(const std::string& reply,
                                                                   const Program& program) {
  enum class State { kOutside, kSearch, kReplace };
  std::vector<std::string> lines = internal::ReplyLines(reply);
  std::vector<SearchReplaceBlock> blocks;
  State state = State::kOutside;
  auto malformed = [&](std::string_view why) {
    const SearchReplaceBlock& b = blocks.back();
    return Reject(BlockLabel(b.number, b.path, b.search), why);
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    bool search = internal::IsMarker(line, '<', "SEARCH");
    bool divider = internal::IsMarker(line, '=', "");
    bool replace = internal::IsMarker(line, '>', "REPLACE");
    if (state == State::kOutside) {
      if (replace) {
        return absl::FailedPreconditionError(absl::StrCat(
            "line ", i + 1, " of the reply: >>>>>>> REPLACE without a <<<<<<< SEARCH before it"));
      }
      if (!search) continue;
      SearchReplaceBlock block;
      block.number = static_cast<int>(blocks.size()) + 1;
      block.path = PathBefore(lines, i, program);
      if (block.path.empty() && !blocks.empty()) block.path = blocks.back().path;
      blocks.push_back(std::move(block));
      state = State::kSearch;
    } else if (state == State::kSearch) {
      if (search) return malformed("a second <<<<<<< SEARCH before its =======");
      if (replace) return malformed(">>>>>>> REPLACE before its =======");
      if (divider) {
        state = State::kReplace;
      } else {
        absl::StrAppend(&blocks.back().search, line, "\n");
      }
    } else {
      if (search) return malformed("<<<<<<< SEARCH inside the block (missing >>>>>>> REPLACE)");
      if (divider) return malformed("a second ======= in the block");
      if (replace) {
        state = State::kOutside;
      } else {
        absl::StrAppend(&blocks.back().replace, line, "\n");
      }
    }
  }
  if (state != State::kOutside) {
    return malformed("the reply ends inside the block (missing >>>>>>> REPLACE; truncated?)");
  }
  if (blocks.empty()) {
    return absl::FailedPreconditionError(
        "the reply holds no SEARCH/REPLACE blocks (a path line, then <<<<<<< SEARCH, the old "
        "lines, =======, the new lines, >>>>>>> REPLACE)");
  }
  return blocks;
}

namespace {

// Which file a block edits, or why it may not.
absl::StatusOr<std::string> BlockFile(const SearchReplaceBlock& block, const Program& parent,
                                      const std::vector<std::string>& editable) {
  std::string label = BlockLabel(block.number, block.path, block.search);
  std::string path = block.path;
  if (path.empty()) {
    std::vector<std::string> candidates;
    for (const auto& [name, content] : parent) {
      if (MatchesAnyGlob(name, editable)) candidates.push_back(name);
    }
    if (candidates.size() != 1) {
      return Reject(label, "names no file; put the file's path on the line before <<<<<<< SEARCH");
    }
    path = candidates[0];
  }
  if (!parent.count(path)) {
    return Reject(label, absl::StrCat("no file \"", path, "\" in the program (editable files: ",
                                      internal::EditableList(parent, editable), ")"));
  }
  if (!MatchesAnyGlob(path, editable)) {
    return Reject(label, absl::StrCat(path, " is not editable (editable files: ",
                                      internal::EditableList(parent, editable), ")"));
  }
  if (IsBlank(block.search)) {
    return Reject(label,
                  "empty SEARCH section; copy the exact lines to change (an empty SEARCH is "
                  "ambiguous: there is no telling where to insert)");
  }
  return path;
}

std::string Summary(const std::map<std::string, int>& per_file) {
  int total = 0;
  std::vector<std::string> files;
  for (const auto& [path, count] : per_file) {
    total += count;
    files.push_back(path);
  }
  return absl::StrCat(total, " SEARCH/REPLACE block", total == 1 ? "" : "s", " in ",
                      absl::StrJoin(files, ", "));
}

}  // namespace

absl::StatusOr<EditResult> ApplySearchReplace(const std::string& reply, const Program& parent,
                                              const std::vector<std::string>& editable) {
  absl::StatusOr<std::vector<SearchReplaceBlock>> blocks = ParseSearchReplace(reply, parent);
  if (!blocks.ok()) return blocks.status();
  EditResult result{parent, ""};
  std::map<std::string, int> per_file;
  for (const SearchReplaceBlock& block : *blocks) {
    absl::StatusOr<std::string> path = BlockFile(block, parent, editable);
    if (!path.ok()) return path.status();
    std::string label = BlockLabel(block.number, *path, block.search);
    std::string& content = result.program[*path];
    absl::StatusOr<std::string> edited =
        internal::ReplaceOnce(content, block.search, block.replace);
    if (!edited.ok()) return Reject(label, Std(edited.status().message()));
    content = *std::move(edited);
    absl::Status allowed = CheckEditAllowed(parent, result.program, editable);
    if (absl::IsPermissionDenied(allowed)) return Reject(label, Std(allowed.message()));
    if (!allowed.ok()) return allowed;
    ++per_file[*path];
  }
  if (result.program == parent) {
    return absl::FailedPreconditionError("the SEARCH/REPLACE blocks leave the program unchanged");
  }
  result.summary = Summary(per_file);
  return result;
}

absl::StatusOr<EditResult> ApplyEdits(EditMode mode, const std::string& reply,
                                      const Program& parent,
                                      const std::vector<std::string>& editable) {
  // Small models often answer in the other form; it is taken where that is
  // unambiguous (see edit_format.h).
  bool markers = false;
  for (const std::string& line : internal::ReplyLines(reply)) {
    markers = markers || internal::IsMarker(line, '<', "SEARCH");
  }
  if (mode == EditMode::kDiff && !markers) {
    absl::StatusOr<EditResult> whole = internal::ApplyWholeFileAnswer(reply, parent, editable);
    // A reply with no code at all gets the diff format's own explanation.
    if (whole.ok() || internal::HasFence(reply)) return whole;
    return ApplySearchReplace(reply, parent, editable);
  }
  if (mode == EditMode::kRewrite && markers) {
    absl::StatusOr<EditResult> diff = ApplySearchReplace(reply, parent, editable);
    if (diff.ok()) absl::StrAppend(&diff->summary, " (SEARCH/REPLACE answer to a rewrite prompt)");
    return diff;
  }
  return mode == EditMode::kDiff ? ApplySearchReplace(reply, parent, editable)
                                 : ApplyRewrite(reply, parent, editable);
}

}  // namespace cambrian::mutators
