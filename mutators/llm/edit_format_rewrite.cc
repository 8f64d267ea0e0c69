// Whole-file rewrites: fenced blocks, one per file (see edit_format.h).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/absl_compat.h"
#include "common/glob.h"
#include "common/status_macros.h"
#include "mutators/edit_policy.h"
#include "mutators/llm/edit_format.h"
#include "mutators/llm/edit_format_internal.h"

namespace cambrian::mutators {
namespace {

using internal::IsBlank;

struct FencedFile {
  int number = 0;    // 1-based among the reply's fenced blocks
  std::string path;  // "" if the reply names none
  std::string content;
};

absl::Status Reject(const FencedFile& file, std::string_view why) {
  return absl::FailedPreconditionError(
      absl::StrCat("fenced block ", file.number,
                   file.path.empty() ? "" : absl::StrCat(" (", file.path, ")"), ": ", Sv(why)));
}

// The fenced blocks of `reply`, each with the path in its info string or on
// the nearest non-blank line before it.
absl::StatusOr<std::vector<FencedFile>> ParseFences(const std::string& reply,
                                                    const Program& program) {
  std::vector<std::string> lines = internal::ReplyLines(reply);
  std::vector<FencedFile> files;
  for (size_t i = 0; i < lines.size(); ++i) {
    int fence = internal::FenceLength(lines[i]);
    if (fence == 0) continue;
    FencedFile file;
    file.number = static_cast<int>(files.size()) + 1;
    std::optional<std::string> path = internal::PathFromLine(lines[i], program);
    for (size_t j = i; !path && j > 0; --j) {
      if (IsBlank(lines[j - 1])) continue;
      path = internal::PathFromLine(lines[j - 1], program);
      break;
    }
    file.path = path.value_or("");
    size_t close = i + 1;
    while (close < lines.size() &&
           !(internal::FenceLength(lines[close]) >= fence &&
             internal::TrimWhitespace(lines[close]).find_first_not_of('`') == std::string::npos)) {
      absl::StrAppend(&file.content, lines[close], "\n");
      ++close;
    }
    if (close == lines.size()) {
      return Reject(file, "the fence is never closed (reply truncated?)");
    }
    files.push_back(std::move(file));
    i = close;
  }
  if (files.empty()) {
    return absl::FailedPreconditionError(
        "the reply holds no fenced code block (```lang path, the whole file, ```)");
  }
  return files;
}

// The first byte of the line before the one starting at `next`.
size_t LineStart(const std::string& text, size_t next) {
  if (next < 2) return 0;
  size_t newline = text.rfind('\n', next - 2);
  return newline == std::string::npos ? 0 : newline + 1;
}

// The first byte after the line starting at `begin`.
size_t LineEnd(const std::string& text, size_t begin) {
  size_t newline = text.find('\n', begin);
  return newline == std::string::npos ? text.size() : newline + 1;
}

// `content` spliced into the parent file's EVOLVE-BLOCKs when the reply gave
// only block content: no markers at all (the file's only block), or nothing
// but marked blocks (each spliced into its counterpart). nullopt when the
// reply is a whole file.
absl::StatusOr<std::optional<std::string>> SpliceBlocks(const FencedFile& file,
                                                        const std::string& before,
                                                        const std::vector<Region>& blocks) {
  if (blocks.empty()) return std::optional<std::string>();
  bool has_markers = file.content.find(kEvolveBlockStart) != std::string::npos ||
                     file.content.find(kEvolveBlockEnd) != std::string::npos;
  std::vector<Region> given;
  if (!has_markers) {
    if (blocks.size() != 1) {
      return Reject(file, absl::StrCat(file.path, " has ", blocks.size(),
                                       " EVOLVE-BLOCKs; give the whole file with its markers"));
    }
    given.push_back({0, 0, 0, file.content.size()});
  } else {
    absl::StatusOr<std::vector<Region>> marked = EvolveBlocks(file.content);
    if (!marked.ok()) return Reject(file, Std(marked.status().message()));
    bool only_blocks =
        marked->size() == blocks.size() &&
        IsBlank(std::string_view(file.content)
                    .substr(0, LineStart(file.content, marked->front().begin))) &&
        IsBlank(std::string_view(file.content).substr(LineEnd(file.content, marked->back().end)));
    if (!only_blocks) return std::optional<std::string>();
    given = *marked;
  }
  std::string out = before;
  for (size_t k = blocks.size(); k-- > 0;) {
    std::string inner = file.content.substr(given[k].begin, given[k].end - given[k].begin);
    if (!inner.empty() && inner.back() != '\n') inner += '\n';
    out.replace(blocks[k].begin, blocks[k].end - blocks[k].begin, inner);
  }
  return std::optional<std::string>(std::move(out));
}

}  // namespace

namespace {

// The new text of the file a fenced block rewrites, or why it may not.
absl::StatusOr<std::string> NewContent(const FencedFile& file, const Program& parent,
                                       const std::vector<std::string>& editable, bool* block_only) {
  auto old = parent.find(file.path);
  if (old == parent.end()) {
    return Reject(file, absl::StrCat("no file \"", file.path, "\" in the program (editable files: ",
                                     internal::EditableList(parent, editable), ")"));
  }
  if (!MatchesAnyGlob(file.path, editable)) {
    return Reject(file, absl::StrCat(file.path, " is not editable (editable files: ",
                                     internal::EditableList(parent, editable), ")"));
  }
  absl::StatusOr<std::vector<Region>> blocks = EvolveBlocks(old->second);
  if (!blocks.ok()) return Annotate(blocks.status(), absl::StrCat("parent ", file.path));
  absl::StatusOr<std::optional<std::string>> spliced = SpliceBlocks(file, old->second, *blocks);
  if (!spliced.ok()) return spliced.status();
  *block_only = spliced->has_value();
  if (*block_only) return **spliced;
  std::string content = file.content;
  bool newline = old->second.empty() || old->second.back() == '\n';
  if (!newline && !content.empty() && content.back() == '\n') content.pop_back();
  return content;
}

// Gives every pathless block a file where that is unambiguous: a reply of
// one block for a program with one editable file.
absl::Status ResolvePaths(std::vector<FencedFile>* files, const Program& parent,
                          const std::vector<std::string>& editable) {
  std::vector<std::string> candidates;
  for (const auto& [path, content] : parent) {
    if (MatchesAnyGlob(path, editable)) candidates.push_back(path);
  }
  for (FencedFile& file : *files) {
    if (!file.path.empty()) continue;
    if (files->size() != 1 || candidates.size() != 1) {
      return Reject(file,
                    "names no file; put the path in the fence (```cpp path) or on the line "
                    "before it");
    }
    file.path = candidates[0];
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<EditResult> ApplyRewrite(const std::string& reply, const Program& parent,
                                        const std::vector<std::string>& editable) {
  absl::StatusOr<std::vector<FencedFile>> files = ParseFences(reply, parent);
  if (!files.ok()) return files.status();
  CAMBRIAN_RETURN_IF_ERROR(ResolvePaths(&*files, parent, editable));
  EditResult result{parent, ""};
  std::map<std::string, bool> rewritten;  // path -> only its EVOLVE-BLOCK was given
  for (const FencedFile& file : *files) {
    if (rewritten.count(file.path)) return Reject(file, "the reply gives this file twice");
    bool block_only = false;
    absl::StatusOr<std::string> content = NewContent(file, parent, editable, &block_only);
    if (!content.ok()) return content.status();
    result.program[file.path] = *std::move(content);
    absl::Status allowed = CheckEditAllowed(parent, result.program, editable);
    if (absl::IsPermissionDenied(allowed)) return Reject(file, Std(allowed.message()));
    if (!allowed.ok()) return allowed;
    rewritten[file.path] = block_only;
  }
  if (result.program == parent) {
    return absl::FailedPreconditionError("the rewrite leaves the program unchanged");
  }
  std::vector<std::string> names;
  for (const auto& [path, block_only] : rewritten) {
    names.push_back(block_only ? absl::StrCat("the EVOLVE-BLOCKs of ", path) : path);
  }
  result.summary = absl::StrCat("rewrote ", absl::StrJoin(names, ", "));
  return result;
}

namespace internal {

absl::StatusOr<EditResult> ApplyWholeFileAnswer(const std::string& reply, const Program& parent,
                                                const std::vector<std::string>& editable) {
  absl::StatusOr<std::vector<FencedFile>> files = ParseFences(reply, parent);
  if (!files.ok()) return files.status();
  if (files->size() != 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("the reply holds no SEARCH/REPLACE blocks but ", files->size(),
                     " code blocks; answer with SEARCH/REPLACE blocks"));
  }
  CAMBRIAN_RETURN_IF_ERROR(ResolvePaths(&*files, parent, editable));
  const FencedFile& file = files->front();
  auto old = parent.find(file.path);
  if (old != parent.end()) {
    const size_t old_lines = ReplyLines(old->second).size();
    const size_t new_lines = ReplyLines(file.content).size();
    absl::StatusOr<std::vector<Region>> blocks = EvolveBlocks(old->second);
    const bool has_blocks = blocks.ok() && !blocks->empty();
    if (!has_blocks && 2 * new_lines < old_lines) {
      return Reject(file,
                    absl::StrCat("no SEARCH/REPLACE blocks, and this code block (", new_lines,
                                 " lines) looks like a fragment of ", file.path, " (", old_lines,
                                 " lines), not the whole file; answer with SEARCH/REPLACE "
                                 "blocks"));
    }
  }
  absl::StatusOr<EditResult> result = ApplyRewrite(reply, parent, editable);
  if (result.ok()) absl::StrAppend(&result->summary, " (a whole-file answer to a diff prompt)");
  return result;
}

}  // namespace internal

}  // namespace cambrian::mutators
