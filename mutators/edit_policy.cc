#include "mutators/edit_policy.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/status_macros.h"

namespace cambrian::mutators {
namespace {

int LineOf(const std::string& content, size_t offset) {
  return 1 + static_cast<int>(std::count(content.begin(), content.begin() + offset, '\n'));
}

// The text outside the blocks, as pieces: [0, first begin), then from each
// block's end to the next block's begin, then to the end of the file. Marker
// lines belong to these pieces, so moving or editing one shows up as a
// difference.
struct Piece {
  size_t begin, end;
};
std::vector<Piece> OutsidePieces(const std::string& content, const std::vector<Region>& blocks) {
  std::vector<Piece> pieces;
  size_t from = 0;
  for (const Region& block : blocks) {
    pieces.push_back({from, block.begin});
    from = block.end;
  }
  pieces.push_back({from, content.size()});
  return pieces;
}

absl::Status Denied(const std::string& path, absl::string_view why) {
  return absl::PermissionDeniedError(absl::StrCat(path, ": ", why));
}

// The policy for a file present in both versions whose parent has markers.
absl::Status CheckBlocks(const std::string& path, const std::string& before,
                         const std::vector<Region>& before_blocks, const std::string& after) {
  absl::StatusOr<std::vector<Region>> after_blocks = EvolveBlocks(after);
  if (!after_blocks.ok()) return Denied(path, after_blocks.status().message());
  if (after_blocks->size() != before_blocks.size()) {
    return Denied(path,
                  absl::StrCat("EVOLVE-BLOCK markers added or removed (", before_blocks.size(),
                               " blocks before, ", after_blocks->size(), " after)"));
  }
  std::vector<Piece> old_pieces = OutsidePieces(before, before_blocks);
  std::vector<Piece> new_pieces = OutsidePieces(after, *after_blocks);
  for (size_t i = 0; i < old_pieces.size(); ++i) {
    std::string_view old_text(before.data() + old_pieces[i].begin,
                              old_pieces[i].end - old_pieces[i].begin);
    std::string_view new_text(after.data() + new_pieces[i].begin,
                              new_pieces[i].end - new_pieces[i].begin);
    if (old_text == new_text) continue;
    size_t same =
        std::mismatch(old_text.begin(), old_text.end(), new_text.begin(), new_text.end()).first -
        old_text.begin();
    return Denied(path,
                  absl::StrCat("line ", LineOf(before, old_pieces[i].begin + same),
                               " is outside every EVOLVE-BLOCK (or is a marker) and changed"));
  }
  return absl::OkStatus();
}

// The policy for one path that differs between parent and child.
absl::Status CheckPath(const Program& parent, const Program& child, const std::string& path,
                       const std::vector<std::string>& editable) {
  auto old_file = parent.find(path);
  auto new_file = child.find(path);
  if (!IsSafeRelativePath(path)) {
    return Denied(path, "not a plain relative path inside the program");
  }
  const char* verb = old_file == parent.end()  ? "adds"
                     : new_file == child.end() ? "deletes"
                                               : "changes";
  if (!MatchesAnyGlob(path, editable)) {
    return Denied(path, absl::StrCat("the proposal ", verb, " a file no editable glob matches"));
  }
  if (old_file == parent.end()) {
    absl::Status balanced = EvolveBlocks(new_file->second).status();
    return balanced.ok() ? balanced : Denied(path, balanced.message());
  }
  absl::StatusOr<std::vector<Region>> blocks = EvolveBlocks(old_file->second);
  if (!blocks.ok()) return Annotate(blocks.status(), absl::StrCat("parent ", path));
  if (new_file == child.end()) {
    return blocks->empty() ? absl::OkStatus()
                           : Denied(path, "the proposal deletes a file with EVOLVE-BLOCK markers");
  }
  if (!blocks->empty()) return CheckBlocks(path, old_file->second, *blocks, new_file->second);
  absl::StatusOr<std::vector<Region>> added = EvolveBlocks(new_file->second);
  if (!added.ok()) return Denied(path, added.status().message());
  if (!added->empty()) return Denied(path, "the proposal adds EVOLVE-BLOCK markers to a file");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Region>> EvolveBlocks(const std::string& content) {
  std::vector<Region> blocks;
  bool open = false;
  int line = 1;
  for (size_t begin = 0; begin < content.size(); ++line) {
    size_t newline = content.find('\n', begin);
    size_t next = newline == std::string::npos ? content.size() : newline + 1;
    std::string_view text(content.data() + begin, next - begin);
    bool start = text.find(kEvolveBlockStart) != std::string_view::npos;
    bool end = text.find(kEvolveBlockEnd) != std::string_view::npos;
    if (start && end) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line, " holds both markers"));
    }
    if (start) {
      if (open) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line, ": EVOLVE-BLOCK-START inside the block opened on line ",
                         blocks.back().start_line));
      }
      blocks.push_back({line, 0, next, 0});
      open = true;
    } else if (end) {
      if (!open) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line, ": EVOLVE-BLOCK-END without an EVOLVE-BLOCK-START"));
      }
      blocks.back().end_line = line;
      blocks.back().end = begin;
      open = false;
    }
    begin = next;
  }
  if (open) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", blocks.back().start_line, ": EVOLVE-BLOCK-START is never closed"));
  }
  return blocks;
}

absl::Status CheckEditAllowed(const Program& parent, const Program& child,
                              const std::vector<std::string>& editable) {
  std::set<std::string> paths;
  for (const auto& [path, content] : parent) paths.insert(path);
  for (const auto& [path, content] : child) paths.insert(path);
  for (const std::string& path : paths) {
    auto old_file = parent.find(path);
    auto new_file = child.find(path);
    if (old_file != parent.end() && new_file != child.end() &&
        old_file->second == new_file->second) {
      continue;
    }
    CAMBRIAN_RETURN_IF_ERROR(CheckPath(parent, child, path, editable));
  }
  return absl::OkStatus();
}

}  // namespace cambrian::mutators
