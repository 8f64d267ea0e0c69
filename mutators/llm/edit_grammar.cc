#include "mutators/llm/edit_grammar.h"

#include <map>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/untrusted_text.h"
#include "mutators/edit_policy.h"
#include "mutators/llm/edit_format_internal.h"

namespace cambrian::mutators {
namespace {

constexpr size_t kMaxGrammarBytes = 512 << 10;
constexpr size_t kMaxAnchorLineBytes = 400;
// A SEARCH copies at most this many lines: a small model that copies the
// whole file would reach max_tokens before its REPLACE.
constexpr size_t kMaxSearchLines = 8;

// The new lines: none may start a marker ('<', '=', '>' as the first
// character after any indentation) or hold "EVOLVE" (no EVOLVE-BLOCK marker
// can be added), so the block can only end at the REPLACE marker, after at
// most 16 of them. Rule sK reads the rest of a line after K letters of
// "EVOLVE" (a right-linear automaton, KMP-style).
constexpr char kBodyRules[] =
    "body ::= line{0,16}\n"
    "line ::= \"\\n\" | [ \\t] line | [^ \\t<=>\\nE] s0 | \"E\" s1\n"
    "s0 ::= \"\\n\" | [^\\nE] s0 | \"E\" s1\n"
    "s1 ::= \"\\n\" | [^\\nEV] s0 | \"E\" s1 | \"V\" s2\n"
    "s2 ::= \"\\n\" | [^\\nEO] s0 | \"E\" s1 | \"O\" s3\n"
    "s3 ::= \"\\n\" | [^\\nEL] s0 | \"E\" s1 | \"L\" s4\n"
    "s4 ::= \"\\n\" | [^\\nEV] s0 | \"E\" s1 | \"V\" s5\n"
    "s5 ::= \"\\n\" | [^\\nE] s0\n";

// Whether a SEARCH may copy `line` (a line of the file, no '\n'): short,
// UTF-8, and not one the edit parser would take for a marker (a docstring
// underline of '=', a merge marker).
bool Literal(std::string_view line) {
  const size_t text = line.find_first_not_of(" \t");
  const bool marker_like = text != std::string_view::npos && (line.compare(text, 5, "=====") == 0 ||
                                                              line.compare(text, 5, "<<<<<") == 0 ||
                                                              line.compare(text, 5, ">>>>>") == 0);
  return line.size() <= kMaxAnchorLineBytes && line.find('\r') == std::string_view::npos &&
         !marker_like && IsValidUtf8(line);
}

struct LineRange {
  size_t first = 0;  // 0-based, inclusive
  size_t last = 0;   // exclusive
};

// The lines an edit may touch: inside the EVOLVE-BLOCKs, or every line.
std::vector<LineRange> EditableLines(const std::string& content, size_t line_count) {
  absl::StatusOr<std::vector<Region>> blocks = EvolveBlocks(content);
  if (!blocks.ok()) return {};
  if (blocks->empty()) return {{0, line_count}};
  std::vector<LineRange> ranges;
  for (const Region& block : *blocks) {
    // 1-based marker lines: the lines strictly between them, 0-based.
    ranges.push_back(
        {static_cast<size_t>(block.start_line), static_cast<size_t>(block.end_line - 1)});
  }
  return ranges;
}

// The rules of one file's block (named `name`), "" when no line of it can
// anchor a SEARCH. Rule `name-tI` is line I's text; `name-lI-K` is line I
// as the K-th line of a SEARCH, optionally followed by the next line of its
// range while K < kMaxSearchLines; `name-a` picks where the SEARCH starts.
std::string FileRules(const std::string& name, const std::string& path,
                      const std::string& content) {
  std::vector<std::string> lines = absl::StrSplit(content, '\n');
  // The text after the last '\n' (if any) is not a whole line: never used.
  lines.pop_back();
  std::map<std::string, int> seen;
  for (const std::string& line : lines) ++seen[line];
  std::string rules;
  std::vector<std::string> anchors;
  for (const LineRange& range : EditableLines(content, lines.size())) {
    size_t run_start = range.first;  // the first line of the current run of literal lines
    for (size_t i = range.first; i < range.last && i < lines.size(); ++i) {
      if (!Literal(lines[i])) {
        run_start = i + 1;
        continue;
      }
      absl::StrAppend(&rules, name, "-t", i, " ::= ", GbnfLiteral(absl::StrCat(lines[i], "\n")),
                      "\n");
      const bool next = i + 1 < range.last && i + 1 < lines.size() && Literal(lines[i + 1]);
      for (size_t k = 1; k <= kMaxSearchLines && k <= i - run_start + 1; ++k) {
        absl::StrAppend(&rules, name, "-l", i, "-", k, " ::= ", name, "-t", i,
                        next && k < kMaxSearchLines
                            ? absl::StrCat(" ", name, "-l", i + 1, "-", k + 1, "?")
                            : "",
                        "\n");
      }
      if (seen[lines[i]] == 1 && !internal::IsBlank(lines[i]) &&
          lines[i].find(kEvolveBlockStart) == std::string::npos &&
          lines[i].find(kEvolveBlockEnd) == std::string::npos) {
        anchors.push_back(absl::StrCat(name, "-l", i, "-1"));
      }
    }
  }
  if (anchors.empty()) return "";
  absl::StrAppend(&rules, name, "-a ::= ", absl::StrJoin(anchors, " | "), "\n");
  absl::StrAppend(&rules, name, " ::= ", GbnfLiteral(absl::StrCat(path, "\n<<<<<<< SEARCH\n")), " ",
                  name, "-a \"=======\\n\" body \">>>>>>> REPLACE\\n\"\n");
  return rules;
}

}  // namespace

std::string GbnfLiteral(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          absl::StrAppend(&out, "\\x", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::optional<std::string> DiffGrammar(const Program& parent,
                                       const std::vector<std::string>& editable) {
  std::string rules;
  std::vector<std::string> files;
  for (const auto& [path, content] : parent) {
    if (!MatchesAnyGlob(path, editable) || !Literal(path)) continue;
    const std::string name = absl::StrCat("f", files.size());
    std::string file_rules = FileRules(name, path, content);
    if (file_rules.empty()) continue;
    if (rules.size() + file_rules.size() > kMaxGrammarBytes) break;
    rules += file_rules;
    files.push_back(name);
  }
  if (files.empty()) return std::nullopt;
  return absl::StrCat("root ::= ", absl::StrJoin(files, " | "), "\n", kBodyRules, rules);
}

}  // namespace cambrian::mutators
