// A task's [[objectives]] (several scores with a Pareto front), the noise
// syntax they share with [fitness] noise, and a profile's choice among the
// objectives. See docs/tasks.md, "Several objectives".
#include <cmath>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/absl_compat.h"
#include "common/status_macros.h"
#include "evaluator/expression.h"
#include "evaluator/task_loader_internal.h"

namespace cambrian::evaluator::internal {
namespace {

constexpr char kNoise[] = "a standard deviation >= 0 like 0.015, or a relative one like \"5%\"";

absl::StatusOr<ObjectiveSpec> LoadObjective(TomlTable& table, const std::set<std::string>& taken) {
  CAMBRIAN_RETURN_IF_ERROR(
      table.AllowOnly({"name", "expr", "goal", "noise", "tolerance", "bounds"}));
  ObjectiveSpec spec;
  CAMBRIAN_ASSIGN_OR_RETURN(spec.name, table.String("name", "a name like \"val_bpb\""));
  if (!IsMetricName(spec.name)) {
    return table.Error("name",
                       absl::StrCat("expected [A-Za-z_][A-Za-z0-9_]*, got \"", spec.name, "\""));
  }
  if (taken.count(spec.name) > 0) {
    return table.Error("name", absl::StrCat("a second objective named '", spec.name, "'"));
  }
  CAMBRIAN_ASSIGN_OR_RETURN(std::optional<std::string> expr,
                            table.OptionalString("expr", "an expression over metrics"));
  spec.expression = expr.value_or(spec.name);
  CAMBRIAN_RETURN_IF_ERROR(CheckExpression(table, "expr", spec.expression));
  CAMBRIAN_ASSIGN_OR_RETURN(spec.goal, LoadGoal(table));
  CAMBRIAN_RETURN_IF_ERROR(LoadNoise(table, "noise", &spec.noise));
  CAMBRIAN_ASSIGN_OR_RETURN(std::optional<double> tolerance,
                            table.OptionalNumber("tolerance", "a relative tolerance >= 0"));
  if (tolerance && !(*tolerance >= 0 && std::isfinite(*tolerance))) {
    return table.WrongType("tolerance", "a relative tolerance >= 0");
  }
  spec.tolerance = tolerance;
  CAMBRIAN_RETURN_IF_ERROR(LoadRange(table, "bounds", &spec.lo, &spec.hi));
  return spec;
}

}  // namespace

absl::StatusOr<Goal> LoadGoal(TomlTable& table) {
  constexpr char kGoal[] = "\"maximize\" or \"minimize\"";
  absl::StatusOr<std::string> goal = table.String("goal", kGoal);
  if (!goal.ok()) return goal.status();
  if (*goal != "maximize" && *goal != "minimize") return table.WrongType("goal", kGoal);
  return *goal == "maximize" ? Goal::kMaximize : Goal::kMinimize;
}

absl::Status LoadNoise(TomlTable& table, std::string_view key, Noise* noise) {
  const toml::node* node = table.Find(key);
  if (node == nullptr) return absl::OkStatus();
  if (const std::optional<double> number = node->value<double>();
      number && !node->is_string() && !node->is_boolean()) {
    if (!(*number >= 0) || !std::isfinite(*number)) return table.WrongType(key, kNoise);
    *noise = {.absolute = *number};
    return absl::OkStatus();
  }
  std::string_view text = node->is_string() ? std::string_view(node->as_string()->get()) : "";
  double percent = 0;
  if (text.size() < 2 || text.back() != '%' ||
      !absl::SimpleAtod(Sv(text.substr(0, text.size() - 1)), &percent) || !(percent >= 0) ||
      !(percent < 1000)) {
    return table.WrongType(key, kNoise);
  }
  *noise = {.relative = percent / 100};
  return absl::OkStatus();
}

absl::Status LoadRange(TomlTable& table, std::string_view key, std::optional<double>* lo,
                       std::optional<double>* hi) {
  constexpr char kRange[] = "[lo, hi] with lo <= hi, the values possible at all";
  const toml::node* node = table.Find(key);
  if (node == nullptr) return absl::OkStatus();
  const toml::array* range = node->as_array();
  if (range == nullptr || range->size() != 2 || !range->get(0)->is_number() ||
      !range->get(1)->is_number()) {
    return table.WrongType(key, kRange);
  }
  const double low = range->get(0)->value<double>().value_or(NAN);
  const double high = range->get(1)->value<double>().value_or(NAN);
  if (!(low <= high)) return table.WrongType(key, kRange);
  *lo = low;
  *hi = high;
  return absl::OkStatus();
}

absl::Status LoadObjectives(TomlTable& root, const TaskPaths& paths, Task* task) {
  if (root.Find("objectives") == nullptr) return absl::OkStatus();
  constexpr char kExpected[] = "one or more [[objectives]] tables";
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::array* list, root.Array("objectives", kExpected));
  if (list->empty()) return root.WrongType("objectives", kExpected);
  std::set<std::string> taken;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string key = absl::StrCat("objectives[", i, "]");
    const toml::node& node = *list->get(i);
    if (!node.is_table()) {
      return root.Error(key,
                        absl::StrCat("expected an [[objectives]] table, got ", DescribeNode(node)));
    }
    TomlTable table(*node.as_table(), root.KeyPath(key), paths.file);
    CAMBRIAN_ASSIGN_OR_RETURN(ObjectiveSpec spec, LoadObjective(table, taken));
    taken.insert(spec.name);
    task->objectives.push_back(std::move(spec));
  }
  return absl::OkStatus();
}

absl::Status LoadProfileObjectives(TomlTable& profile, const Task& task,
                                   std::vector<ObjectiveSpec>* chosen) {
  const toml::node* node = profile.Find("objectives");
  if (node == nullptr) return absl::OkStatus();
  std::vector<std::string> names;
  for (const ObjectiveSpec& spec : task.objectives) names.push_back(spec.name);
  const std::string expected =
      task.objectives.empty()
          ? std::string("nothing: the task declares no [[objectives]]")
          : absl::StrCat("a list of the task's objectives (", absl::StrJoin(names, ", "), ")");
  const toml::array* list = node->as_array();
  if (list == nullptr || list->empty() || task.objectives.empty()) {
    return profile.WrongType("objectives", expected);
  }
  chosen->clear();
  for (const toml::node& item : *list) {
    const std::string name = item.is_string() ? item.as_string()->get() : "";
    auto spec = std::find_if(task.objectives.begin(), task.objectives.end(),
                             [&](const ObjectiveSpec& s) { return s.name == name; });
    const bool repeated = std::any_of(chosen->begin(), chosen->end(),
                                      [&](const ObjectiveSpec& s) { return s.name == name; });
    if (spec == task.objectives.end() || repeated) {
      return profile.Error("objectives", absl::StrCat("'", name, "' is not one of ", expected,
                                                      repeated ? " (named twice)" : ""));
    }
    chosen->push_back(*spec);
  }
  return absl::OkStatus();
}

void UseHeadline(Task* task) {
  if (task->objectives.empty()) return;
  const ObjectiveSpec& headline = task->objectives.front();
  task->fitness_score = headline.expression;
  task->goal = headline.goal;
  task->noise = headline.noise;
}

}  // namespace cambrian::evaluator::internal
