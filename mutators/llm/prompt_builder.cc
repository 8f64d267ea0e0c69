#include "mutators/llm/prompt_builder.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/glob.h"
#include "common/untrusted_text.h"

namespace cambrian::mutators {
namespace {

std::string FenceLanguage(const std::string& path) {
  static const std::map<std::string, std::string>* const kByExtension =
      new std::map<std::string, std::string>{
          {".c", "c"},           {".cc", "cpp"},        {".cpp", "cpp"},   {".cxx", "cpp"},
          {".h", "cpp"},         {".hh", "cpp"},        {".hpp", "cpp"},   {".cu", "cuda"},
          {".cuh", "cuda"},      {".py", "python"},     {".rs", "rust"},   {".go", "go"},
          {".js", "javascript"}, {".ts", "typescript"}, {".sh", "bash"},   {".java", "java"},
          {".jl", "julia"},      {".toml", "toml"},     {".json", "json"}, {".md", "markdown"}};
  auto it = kByExtension->find(std::filesystem::path(path).extension().string());
  return it == kByExtension->end() ? "" : it->second;
}

// One more backtick than the longest run of them at the start of a line.
std::string Fence(const std::string& content) {
  size_t longest = 0;
  for (size_t begin = 0; begin < content.size();) {
    size_t run = content.find_first_not_of('`', begin);
    if (run == std::string::npos) run = content.size();
    longest = std::max(longest, run - begin);
    size_t newline = content.find('\n', begin);
    begin = newline == std::string::npos ? content.size() : newline + 1;
  }
  return std::string(std::max<size_t>(3, longest + 1), '`');
}

std::string FormatNumber(double value) { return absl::StrCat(value); }

// Only the metrics the task names (a candidate may report hundreds, under
// any names it likes); without names, the first kMaxPromptMetrics.
std::string RenderMetrics(const Metrics& metrics, const TaskBrief* task) {
  std::vector<std::string> lines;
  const bool named = task != nullptr && !task->metrics.empty();
  for (const auto& [name, value] : metrics) {
    if (lines.size() == kMaxPromptMetrics) break;
    if (named && std::find(task->metrics.begin(), task->metrics.end(), name) == task->metrics.end())
      continue;
    lines.push_back(absl::StrCat(name, ": ", FormatNumber(value)));
  }
  return absl::StrJoin(lines, "\n");
}

// Text the candidate's own code wrote (its feedback, its output), fenced
// and bounded: data to read, never instructions to follow.
std::string RenderUntrusted(const std::string& text, size_t max_bytes, bool keep_end) {
  if (text.empty()) return "";
  std::string body = EscapeControl(keep_end ? TruncateFrontWithMark(text, max_bytes, "output")
                                            : TruncateWithMark(text, max_bytes, "feedback"));
  std::string fence = Fence(body);
  return absl::StrCat(fence, "text\n", body, body.back() == '\n' ? "" : "\n", fence, "\n");
}

std::string RenderFailure(const ScoredProgram& parent) {
  if (!ParentFailed(parent)) return "";
  return absl::StrCat("Outcome: ", parent.outcome, "\n",
                      RenderUntrusted(parent.failure, kMaxPromptFailureBytes, true));
}

std::string RenderInspirations(const std::vector<ScoredProgram>& inspirations,
                               const std::vector<std::string>& editable, const TaskBrief* task) {
  std::string out;
  for (const ScoredProgram& inspiration : inspirations) {
    if (inspiration.program == nullptr) continue;
    absl::StrAppend(&out, "## Program ", inspiration.id);
    if (inspiration.fitness)
      absl::StrAppend(&out, " (fitness ", FormatNumber(*inspiration.fitness), ")");
    absl::StrAppend(&out, "\n");
    if (!inspiration.metrics.empty()) {
      absl::StrAppend(&out, "Metrics:\n", RenderMetrics(inspiration.metrics, task), "\n");
    }
    absl::StrAppend(&out, RenderProgramCode(*inspiration.program, editable),
                    "\n");  // blank line between
  }
  return out;
}

}  // namespace

bool ParentFailed(const ScoredProgram& parent) {
  return !parent.outcome.empty() && parent.outcome != "ok";
}

std::string RenderProgramCode(const Program& program, const std::vector<std::string>& editable) {
  std::string out;
  for (const auto& [path, content] : program) {
    if (!MatchesAnyGlob(path, editable)) continue;
    std::string fence = Fence(content);
    bool newline = content.empty() || content.back() == '\n';
    absl::StrAppend(&out, "### ", path, "\n", fence, FenceLanguage(path), "\n", content,
                    newline ? "" : "\n", fence, "\n");
  }
  return out;
}

std::map<std::string, std::string> PromptValues(const MutationContext& context,
                                                const std::string& previous_rejection) {
  std::map<std::string, std::string> values;
  if (context.task != nullptr) {
    values["task_name"] = context.task->name;
    values["task_description"] = context.task->description;
    values["task_instructions"] = context.task->instructions;
    values["goal"] = context.task->goal;
    values["fitness"] = context.task->fitness;
  }
  const ScoredProgram& parent = context.parent_info;
  values["parent_code"] = RenderProgramCode(*context.parent, context.editable);
  values["parent_metrics"] = RenderMetrics(parent.metrics, context.task);
  values["parent_fitness"] = parent.fitness ? FormatNumber(*parent.fitness) : "";
  values["parent_feedback"] = RenderUntrusted(parent.feedback, kMaxPromptFeedbackBytes, false);
  values["failure"] = RenderFailure(parent);
  values["inspirations"] = RenderInspirations(context.inspirations, context.editable, context.task);
  values["previous_rejection"] = previous_rejection;
  // Templates own the spacing between sections.
  for (auto& [name, value] : values) {
    while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
  }
  return values;
}

BuiltPrompt BuildPrompt(const PromptSet& prompts, const MutationContext& context,
                        const PromptChoice& choice, const std::string& previous_rejection) {
  std::map<std::string, std::string> values = PromptValues(context, previous_rejection);
  const PromptTemplate& format =
      choice.mode == EditMode::kDiff ? prompts.edit_format_diff : prompts.edit_format_rewrite;
  values["edit_format"] = format.Render(values);
  while (!values["edit_format"].empty() && values["edit_format"].back() == '\n') {
    values["edit_format"].pop_back();
  }
  const PromptTemplate& body = choice.repair                    ? prompts.repair
                               : choice.mode == EditMode::kDiff ? prompts.diff
                                                                : prompts.rewrite;
  return {prompts.system.Render(values), body.Render(values)};
}

}  // namespace cambrian::mutators
