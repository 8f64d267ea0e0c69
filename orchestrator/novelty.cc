#include "orchestrator/novelty.h"

#include <string_view>
#include <unordered_set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/glob.h"
#include "mutators/llm/embedder.h"

namespace cambrian::orchestrator {
namespace {

std::string WithoutLayout(const std::string& text) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::string kept;
    bool space = false;
    for (char c : line) {
      if (c == ' ' || c == '\t' || c == '\r') {
        space = true;
        continue;
      }
      if (space && !kept.empty()) kept += ' ';
      space = false;
      kept += c;
    }
    if (kept.empty()) continue;
    out += kept;
    out += '\n';
  }
  return out;
}

Program Normalised(const Program& program) {
  Program out;
  for (const auto& [path, content] : program) out[path] = WithoutLayout(content);
  return out;
}

std::unordered_set<std::string_view> Shingles(const Program& normalised) {
  constexpr size_t kWidth = 5;
  std::unordered_set<std::string_view> shingles;
  for (const auto& [path, content] : normalised) {
    if (content.size() < kWidth) {
      shingles.insert(content);
      continue;
    }
    for (size_t i = 0; i + kWidth <= content.size(); ++i) {
      shingles.insert(std::string_view(content).substr(i, kWidth));
    }
  }
  return shingles;
}

}  // namespace

std::string LayoutFreeHash(const Program& program) { return ProgramHash(Normalised(program)); }

double TextSimilarity(const Program& a, const Program& b) {
  const Program na = Normalised(a), nb = Normalised(b);
  if (na == nb) return 1;
  const std::unordered_set<std::string_view> sa = Shingles(na), sb = Shingles(nb);
  size_t common = 0;
  for (std::string_view s : sa) common += sb.count(s);
  const size_t all = sa.size() + sb.size() - common;
  return all == 0 ? 1 : static_cast<double>(common) / static_cast<double>(all);
}

std::string EditableText(const Program& program, const std::vector<std::string>& editable) {
  std::string text;
  for (const auto& [path, content] : program) {
    if (MatchesAnyGlob(path, editable)) absl::StrAppend(&text, "=== ", path, " ===\n", content);
  }
  return text;
}

bool NoveltyFilter::Admit(const Program& parent, const Program& child, bool with_threshold,
                          const ProposalEmbeddings* embeddings) {
  seen_.insert(LayoutFreeHash(parent));
  const std::string hash = LayoutFreeHash(child);
  if (seen_.count(hash)) return false;
  if (with_threshold && threshold_ < 1) {
    if (embeddings ? TooLikeEmbedded(*embeddings) : TextSimilarity(parent, child) >= threshold_) {
      return false;
    }
  }
  seen_.insert(hash);
  if (embeddings) {
    constexpr size_t kRemembered = 4096;
    admitted_.push_back(embeddings->child);
    if (admitted_.size() > kRemembered) admitted_.pop_front();
  }
  return true;
}

bool NoveltyFilter::TooLikeEmbedded(const ProposalEmbeddings& embeddings) const {
  if (mutators::CosineSimilarity(embeddings.parent, embeddings.child) >= threshold_) return true;
  for (const std::vector<float>& other : admitted_) {
    if (mutators::CosineSimilarity(other, embeddings.child) >= threshold_) return true;
  }
  return false;
}

}  // namespace cambrian::orchestrator
