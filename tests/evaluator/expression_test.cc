#include "evaluator/expression.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace cambrian::evaluator {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

double Eval(const std::string& text, const Metrics& metrics) {
  absl::StatusOr<Expression> expression = Expression::Compile(text);
  EXPECT_TRUE(expression.ok()) << expression.status();
  if (!expression.ok()) return -12345;
  absl::StatusOr<double> value = expression->Evaluate(metrics);
  EXPECT_TRUE(value.ok()) << value.status();
  return value.ok() ? *value : -12345;
}

TEST(ExpressionTest, Arithmetic) {
  EXPECT_DOUBLE_EQ(Eval("gflops", {{"gflops", 41.5}}), 41.5);
  EXPECT_DOUBLE_EQ(Eval("1/time_s", {{"time_s", 4}}), 0.25);
  EXPECT_DOUBLE_EQ(Eval("2^3 + a*b - 1", {{"a", 2}, {"b", 5}}), 17);
  EXPECT_DOUBLE_EQ(Eval("sqrt(x) + max(1, y)", {{"x", 9}, {"y", -3}}), 4);
  EXPECT_DOUBLE_EQ(Eval("3 * 4", {}), 12);
}

TEST(ExpressionTest, ComparisonsAndLogic) {
  EXPECT_EQ(Eval("correct == 1", {{"correct", 1}}), 1);
  EXPECT_EQ(Eval("correct == 1", {{"correct", 0}}), 0);
  EXPECT_EQ(Eval("err < 1e-3", {{"err", 1e-4}}), 1);
  EXPECT_EQ(Eval("err >= 1e-3", {{"err", 1e-4}}), 0);
  EXPECT_EQ(Eval("a != b", {{"a", 1}, {"b", 2}}), 1);
  EXPECT_EQ(Eval("a == 1 && b > 2", {{"a", 1}, {"b", 3}}), 1);
  EXPECT_EQ(Eval("a == 1 && b > 2", {{"a", 1}, {"b", 2}}), 0);
  EXPECT_EQ(Eval("a == 0 || b <= 2", {{"a", 1}, {"b", 2}}), 1);
  EXPECT_EQ(Eval("ok ? speed : -1", {{"ok", 0}, {"speed", 5}}), -1);
}

TEST(ExpressionTest, VariablesAreSortedAndUnique) {
  absl::StatusOr<Expression> expression = Expression::Compile("zeta + alpha * zeta - _beta2");
  ASSERT_TRUE(expression.ok()) << expression.status();
  EXPECT_THAT(expression->Variables(), ElementsAre("_beta2", "alpha", "zeta"));
  EXPECT_EQ(expression->text(), "zeta + alpha * zeta - _beta2");
}

TEST(ExpressionTest, ConstantsAndFunctionsAreNotVariables) {
  absl::StatusOr<Expression> expression = Expression::Compile("sin(_pi) + x");
  ASSERT_TRUE(expression.ok()) << expression.status();
  EXPECT_THAT(expression->Variables(), ElementsAre("x"));
}

TEST(ExpressionTest, SyntaxErrorsAreInvalidArgumentWithTheText) {
  for (const std::string text : {"gflops +", "(a", "a b", "", "1 +* 2", "foo(1)"}) {
    absl::StatusOr<Expression> expression = Expression::Compile(text);
    ASSERT_FALSE(expression.ok()) << "'" << text << "' compiled";
    EXPECT_EQ(expression.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(expression.status().message(), HasSubstr("expression '" + text + "'"));
  }
}

TEST(ExpressionTest, MissingMetricIsNotFoundNamingIt) {
  absl::StatusOr<Expression> expression = Expression::Compile("a + b");
  ASSERT_TRUE(expression.ok());
  absl::StatusOr<double> value = expression->Evaluate({{"a", 1}});
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(value.status().message(), "metric 'b' is missing");
  EXPECT_EQ(MissingMetricName(value.status()), "b");
}

TEST(ExpressionTest, MissingMetricNameOnlyForMissingMetricErrors) {
  EXPECT_EQ(MissingMetricName(absl::OkStatus()), std::nullopt);
  EXPECT_EQ(MissingMetricName(absl::NotFoundError("metric 'x' is missing")), std::nullopt);
  EXPECT_EQ(MissingMetricName(MissingMetricError("x")), "x");
}

TEST(ExpressionTest, NonFiniteResultsAreReturnedNotErrors) {
  absl::StatusOr<Expression> expression = Expression::Compile("1 / x");
  ASSERT_TRUE(expression.ok());
  absl::StatusOr<double> value = expression->Evaluate({{"x", 0}});
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_TRUE(std::isinf(*value));
}

TEST(ExpressionTest, IsMetricName) {
  EXPECT_TRUE(IsMetricName("gflops"));
  EXPECT_TRUE(IsMetricName("_x9"));
  EXPECT_TRUE(IsMetricName("Time_S"));
  EXPECT_FALSE(IsMetricName(""));
  EXPECT_FALSE(IsMetricName("9x"));
  EXPECT_FALSE(IsMetricName("a-b"));
  EXPECT_FALSE(IsMetricName("a.b"));
  EXPECT_FALSE(IsMetricName("a b"));
}

TEST(ExpressionTest, ConcurrentEvaluationsAgree) {
  absl::StatusOr<Expression> expression = Expression::Compile("a * 2 + b");
  ASSERT_TRUE(expression.ok());
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        absl::StatusOr<double> value = expression->Evaluate({{"a", t}, {"b", i}});
        if (!value.ok() || *value != t * 2 + i) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace cambrian::evaluator
