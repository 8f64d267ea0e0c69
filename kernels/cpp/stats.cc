#include "stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cambrian::kernels {

double Quantile(std::vector<double> values, double q) {
  if (values.empty() || !(q >= 0 && q <= 1)) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, values.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return values[below] + fraction * (values[above] - values[below]);
}

double Median(std::vector<double> values) { return Quantile(std::move(values), 0.5); }

std::vector<double> Ratios(std::span<const double> numerators,
                           std::span<const double> denominators) {
  std::vector<double> ratios;
  const size_t n = std::min(numerators.size(), denominators.size());
  for (size_t i = 0; i < n; ++i) {
    if (denominators[i] > 0) ratios.push_back(numerators[i] / denominators[i]);
  }
  return ratios;
}

double MedianRatio(std::span<const double> numerators, std::span<const double> denominators) {
  return Median(Ratios(numerators, denominators));
}

double RelativeIqr(std::vector<double> values) {
  const double median = Quantile(values, 0.5);
  if (!(median != 0)) return std::numeric_limits<double>::quiet_NaN();
  return (Quantile(values, 0.75) - Quantile(values, 0.25)) / std::fabs(median);
}

}  // namespace cambrian::kernels
