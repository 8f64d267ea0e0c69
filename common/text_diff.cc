#include "common/text_diff.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace cambrian {
namespace {

// Lines keep their '\n', so a final line without one never equals the same
// text with one: that difference is what "\ No newline at end of file" shows.
std::vector<std::string_view> SplitLines(const std::string& text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = (end == std::string::npos) ? text.size() : end + 1;
    lines.emplace_back(text.data() + start, end - start);
    start = end;
  }
  return lines;
}

enum class OpKind { kEqual, kDelete, kInsert };

struct Op {
  OpKind kind;
  int a;  // index into the old lines (kEqual, kDelete)
  int b;  // index into the new lines (kEqual, kInsert)
};

struct Snake {
  int x0, y0, x1, y1;  // a diagonal run of matches from (x0,y0) to (x1,y1)
};

// Myers' O(ND) diff with the linear-space refinement (Myers 1986, section
// 4b): find the middle snake of an optimal path, recurse on both sides.
// Lines are interned to ints first, so comparisons are cheap.
class MyersDiff {
 public:
  MyersDiff(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
    std::unordered_map<std::string_view, int> ids;
    for (std::string_view line : a) a_.push_back(ids.try_emplace(line, ids.size()).first->second);
    for (std::string_view line : b) b_.push_back(ids.try_emplace(line, ids.size()).first->second);
  }

  std::vector<Op> Run() {
    Compare(0, static_cast<int>(a_.size()), 0, static_cast<int>(b_.size()));
    return std::move(ops_);
  }

 private:
  void Compare(int a0, int a1, int b0, int b1);
  bool MiddleSnake(int a0, int a1, int b0, int b1, Snake* snake);

  // One round of furthest-reaching d-paths in a box of n x m, in place in
  // `v` (indexed by diagonal k = x - y, shifted by `offset`). `eq(x, y)`
  // compares box-relative positions. Moves that would leave the box are not
  // taken; a diagonal no d-path reaches holds -1. Returns the start of the
  // snake on diagonal k through `start_x`.
  template <typename Eq>
  static int Extend(std::vector<int>& v, int offset, int k, int n, int m, Eq eq, int* start_x) {
    const int down = v[offset + k + 1];   // from diagonal k+1, one step down
    const int right = v[offset + k - 1];  // from diagonal k-1, one step right
    int x = -1;
    if (down >= 0 && down - k <= m) x = down;
    if (right >= 0 && right + 1 <= n && right + 1 > x) x = right + 1;
    if (x < 0) return v[offset + k] = -1;
    *start_x = x;
    while (x < n && x - k < m && eq(x, x - k)) ++x;
    return v[offset + k] = x;
  }

  void Emit(OpKind kind, int a, int b) { ops_.push_back({kind, a, b}); }

  std::vector<int> a_, b_;
  std::vector<Op> ops_;
  std::vector<int> forward_, backward_;
};

bool MyersDiff::MiddleSnake(int a0, int a1, int b0, int b1, Snake* snake) {
  const int n = a1 - a0, m = b1 - b0, delta = n - m;
  const int max_d = (n + m + 1) / 2;
  const int offset = max_d + 1;
  forward_.assign(2 * max_d + 3, -1);
  backward_.assign(2 * max_d + 3, -1);
  forward_[offset + 1] = 0;  // the d = 0 path starts with a virtual step down
  backward_[offset + 1] = 0;
  auto fwd_eq = [&](int x, int y) { return a_[a0 + x] == b_[b0 + y]; };
  auto bwd_eq = [&](int u, int w) { return a_[a1 - 1 - u] == b_[b1 - 1 - w]; };
  const bool odd = (delta % 2) != 0;
  for (int d = 0; d <= max_d; ++d) {
    for (int k = -d; k <= d; k += 2) {
      int start = 0;
      const int x = Extend(forward_, offset, k, n, m, fwd_eq, &start);
      if (x < 0 || !odd || k < delta - (d - 1) || k > delta + (d - 1)) continue;
      const int u = backward_[offset + delta - k];  // backward diagonal c = delta - k
      if (u >= 0 && x + u >= n) {
        *snake = {a0 + start, b0 + start - k, a0 + x, b0 + x - k};
        return true;
      }
    }
    for (int c = -d; c <= d; c += 2) {
      int start = 0;
      const int u = Extend(backward_, offset, c, n, m, bwd_eq, &start);
      const int k = delta - c;
      if (u < 0 || odd || k < -d || k > d) continue;
      const int x = forward_[offset + k];
      if (x >= 0 && x + u >= n) {
        // Reversed coordinates (u, u - c) map back to (n - u, m - u + c).
        *snake = {a0 + n - u, b0 + m - (u - c), a0 + n - start, b0 + m - (start - c)};
        return true;
      }
    }
  }
  return false;
}

void MyersDiff::Compare(int a0, int a1, int b0, int b1) {
  while (a0 < a1 && b0 < b1 && a_[a0] == b_[b0]) Emit(OpKind::kEqual, a0++, b0++);
  int suffix = 0;
  while (a0 < a1 - suffix && b0 < b1 - suffix && a_[a1 - 1 - suffix] == b_[b1 - 1 - suffix]) {
    ++suffix;
  }
  a1 -= suffix;
  b1 -= suffix;
  Snake snake;
  if (a0 < a1 && b0 < b1 && MiddleSnake(a0, a1, b0, b1, &snake)) {
    Compare(a0, snake.x0, b0, snake.y0);
    for (int i = 0; i < snake.x1 - snake.x0; ++i) {
      Emit(OpKind::kEqual, snake.x0 + i, snake.y0 + i);
    }
    Compare(snake.x1, a1, snake.y1, b1);
  } else {
    // An empty side, or (never expected) no middle snake: any edit script
    // is a valid patch, so fall back to replacing the whole range.
    for (int i = a0; i < a1; ++i) Emit(OpKind::kDelete, i, b0);
    for (int j = b0; j < b1; ++j) Emit(OpKind::kInsert, a1, j);
  }
  for (int i = 0; i < suffix; ++i) Emit(OpKind::kEqual, a1 + i, b1 + i);
}

// Within each run of changes, list deletions before insertions (as git and
// GNU diff do); the relative order inside each kind is kept, so the script
// stays valid. Then each op's position on the side it does not consume is
// recomputed, since moving ops changed it.
void GroupChanges(std::vector<Op>& ops) {
  auto run_start = ops.begin();
  while (run_start != ops.end()) {
    auto is_equal = [](const Op& op) { return op.kind == OpKind::kEqual; };
    run_start = std::find_if_not(run_start, ops.end(), is_equal);
    auto run_end = std::find_if(run_start, ops.end(), is_equal);
    std::stable_partition(run_start, run_end,
                          [](const Op& op) { return op.kind == OpKind::kDelete; });
    run_start = run_end;
  }
  int a_pos = 0, b_pos = 0;
  for (Op& op : ops) {
    if (op.kind == OpKind::kDelete) op.b = b_pos;
    if (op.kind == OpKind::kInsert) op.a = a_pos;
    a_pos += op.kind != OpKind::kInsert;
    b_pos += op.kind != OpKind::kDelete;
  }
}

// Git's C-style quoting for paths with '"', '\\', control or non-ASCII bytes.
std::string QuotedPath(const char* prefix, const std::string& path) {
  auto needs_quote = [](unsigned char ch) {
    return ch == '"' || ch == '\\' || ch < 0x20 || ch >= 0x7f;
  };
  if (std::none_of(path.begin(), path.end(), needs_quote)) return absl::StrCat(prefix, path);
  std::string out = absl::StrCat("\"", prefix);
  for (unsigned char ch : path) {
    if (ch == '"' || ch == '\\') {
      absl::StrAppend(&out, "\\", std::string(1, static_cast<char>(ch)));
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (needs_quote(ch)) {
      absl::StrAppendFormat(&out, "\\%03o", ch);
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out + "\"";
}

// "start,count" for one side of a hunk header: an empty range is named by
// the line before it (0 at the top of the file).
std::string HunkRange(int lines_before, int count) {
  return absl::StrCat(count == 0 ? lines_before : lines_before + 1, ",", count);
}

void AppendLine(std::string& out, char tag, std::string_view line) {
  out += tag;
  out.append(line.data(), line.size());
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

// Appends every hunk of `ops`. Changes closer than 2 * context lines share a
// hunk, so that no context line appears in two hunks.
void AppendHunks(std::string& out, const std::vector<Op>& ops,
                 const std::vector<std::string_view>& a, const std::vector<std::string_view>& b,
                 int context) {
  const size_t size = ops.size();
  auto is_change = [](const Op& op) { return op.kind != OpKind::kEqual; };
  size_t next = std::find_if(ops.begin(), ops.end(), is_change) - ops.begin();
  while (next < size) {
    const size_t begin = next > static_cast<size_t>(context) ? next - context : 0;
    size_t last = next;  // the last change in this hunk
    while (true) {
      next = std::find_if(ops.begin() + last + 1, ops.end(), is_change) - ops.begin();
      if (next >= size || next - last - 1 > 2 * static_cast<size_t>(context)) break;
      last = next;
    }
    const size_t end = std::min(size, last + 1 + context);
    int old_count = 0, new_count = 0;
    for (size_t i = begin; i < end; ++i) {
      old_count += ops[i].kind != OpKind::kInsert;
      new_count += ops[i].kind != OpKind::kDelete;
    }
    // An op's index on a side it does not consume is that side's position.
    absl::StrAppend(&out, "@@ -", HunkRange(ops[begin].a, old_count), " +",
                    HunkRange(ops[begin].b, new_count), " @@\n");
    for (size_t i = begin; i < end; ++i) {
      const Op& op = ops[i];
      if (op.kind == OpKind::kEqual) AppendLine(out, ' ', a[op.a]);
      if (op.kind == OpKind::kDelete) AppendLine(out, '-', a[op.a]);
      if (op.kind == OpKind::kInsert) AppendLine(out, '+', b[op.b]);
    }
  }
}

enum class Change { kModified, kAdded, kDeleted };

std::string FileDiff(const std::string& path, const std::string& before, const std::string& after,
                     int context, Change change) {
  if (change == Change::kModified && before == after) return "";
  const std::string old_name = QuotedPath("a/", path);
  const std::string new_name = QuotedPath("b/", path);
  std::string out = absl::StrCat("diff --git ", old_name, " ", new_name, "\n");
  if (change == Change::kAdded) out += "new file mode 100644\n";
  if (change == Change::kDeleted) out += "deleted file mode 100644\n";
  // An empty file added or deleted has no hunks, and git writes no ---/+++.
  if (before == after) return out;
  // Like git, end a name holding a space with a tab, where GNU patch looks
  // for the end of the name.
  const char* tab = path.find(' ') != std::string::npos ? "\t" : "";
  absl::StrAppend(&out, "--- ", change == Change::kAdded ? "/dev/null" : old_name + tab, "\n");
  absl::StrAppend(&out, "+++ ", change == Change::kDeleted ? "/dev/null" : new_name + tab, "\n");
  const std::vector<std::string_view> a = SplitLines(before);
  const std::vector<std::string_view> b = SplitLines(after);
  std::vector<Op> ops = MyersDiff(a, b).Run();
  GroupChanges(ops);
  AppendHunks(out, ops, a, b, std::max(context, 0));
  return out;
}

}  // namespace

std::string UnifiedFileDiff(const std::string& path, const std::string& before,
                            const std::string& after, int context_lines) {
  return FileDiff(path, before, after, context_lines, Change::kModified);
}

std::string UnifiedProgramDiff(const Program& before, const Program& after, int context_lines) {
  static const std::string kEmpty;
  std::string out;
  auto old_it = before.begin();
  auto new_it = after.begin();
  while (old_it != before.end() || new_it != after.end()) {
    if (new_it == after.end() || (old_it != before.end() && old_it->first < new_it->first)) {
      out += FileDiff(old_it->first, old_it->second, kEmpty, context_lines, Change::kDeleted);
      ++old_it;
    } else if (old_it == before.end() || new_it->first < old_it->first) {
      out += FileDiff(new_it->first, kEmpty, new_it->second, context_lines, Change::kAdded);
      ++new_it;
    } else {
      out +=
          FileDiff(old_it->first, old_it->second, new_it->second, context_lines, Change::kModified);
      ++old_it;
      ++new_it;
    }
  }
  return out;
}

}  // namespace cambrian
