#include "evaluator/expression.h"

#include <muParser.h>

#include <algorithm>
#include <deque>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace cambrian::evaluator {
namespace {

constexpr char kMissingMetricUrl[] = "type.cambrian/missing_metric";

// Backing store for the variables muparser meets while compiling: the parser
// keeps pointers into it, so a deque (stable addresses) rather than a vector.
struct VariableCollector {
  std::deque<double> slots;
  std::vector<std::string> names;
};

mu::value_type* CollectVariable(const mu::char_type* name, void* user_data) {
  auto* collector = static_cast<VariableCollector*>(user_data);
  collector->names.emplace_back(name);
  return &collector->slots.emplace_back(0.0);
}

absl::Status ParserError(const std::string& text, const mu::Parser::exception_type& error) {
  return absl::InvalidArgumentError(absl::StrCat("expression '", text, "': ", error.GetMsg()));
}

}  // namespace

bool IsMetricName(const std::string& name) {
  auto is_alpha = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  auto is_alnum = [&](char c) { return is_alpha(c) || (c >= '0' && c <= '9'); };
  return !name.empty() && is_alpha(name[0]) && std::all_of(name.begin(), name.end(), is_alnum);
}

absl::Status MissingMetricError(const std::string& name) {
  absl::Status status = absl::NotFoundError(absl::StrCat("metric '", name, "' is missing"));
  status.SetPayload(kMissingMetricUrl, absl::Cord(name));
  return status;
}

std::optional<std::string> MissingMetricName(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kNotFound) return std::nullopt;
  absl::optional<absl::Cord> payload = status.GetPayload(kMissingMetricUrl);
  if (!payload.has_value()) return std::nullopt;
  return std::string(*payload);
}

absl::StatusOr<Expression> Expression::Compile(const std::string& text) {
  VariableCollector collector;
  try {
    mu::Parser parser;
    parser.SetVarFactory(&CollectVariable, &collector);
    parser.SetExpr(text);
    // muparser parses lazily: the first Eval is what reports syntax errors.
    // With every variable at 0 the value itself is meaningless.
    parser.Eval();
  } catch (const mu::Parser::exception_type& error) {
    return ParserError(text, error);
  }
  std::vector<std::string> names = std::move(collector.names);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  for (const std::string& name : names) {
    if (!IsMetricName(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("expression '", text, "': '", name, "' is not a metric name"));
    }
  }
  return Expression(text, std::move(names));
}

absl::StatusOr<double> Expression::Evaluate(const Metrics& metrics) const {
  std::vector<double> values(variables_.size());
  for (size_t i = 0; i < variables_.size(); ++i) {
    auto it = metrics.find(variables_[i]);
    if (it == metrics.end()) return MissingMetricError(variables_[i]);
    values[i] = it->second;
  }
  try {
    // A fresh parser per call: mu::Parser is not safe to share between
    // threads, and this keeps Expression a plain value.
    mu::Parser parser;
    for (size_t i = 0; i < variables_.size(); ++i) parser.DefineVar(variables_[i], &values[i]);
    parser.SetExpr(text_);
    return parser.Eval();
  } catch (const mu::Parser::exception_type& error) {
    return ParserError(text_, error);
  }
}

}  // namespace cambrian::evaluator
