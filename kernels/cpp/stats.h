// Order statistics for timings: medians and quantiles resist the outliers a
// shared machine produces (a preempted call), where a mean would not.
// All functions take their inputs by value or span and never fail: an empty
// input gives NaN, which callers must check before reporting.
#ifndef CAMBRIAN_KERNELS_STATS_H_
#define CAMBRIAN_KERNELS_STATS_H_

#include <span>
#include <vector>

namespace cambrian::kernels {

// The q-quantile (0 <= q <= 1) with linear interpolation between order
// statistics (Hyndman and Fan's type 7: q = 0.5 is the usual median).
double Quantile(std::vector<double> values, double q);
double Median(std::vector<double> values);

// Median over i of numerators[i] / denominators[i], over the first
// min(sizes) pairs; pairs with a denominator <= 0 are skipped. For
// interleaved timings (reference, candidate, reference, ...) the ratio of
// each pair cancels the load both saw.
double MedianRatio(std::span<const double> numerators, std::span<const double> denominators);

// The per-pair ratios MedianRatio takes the median of.
std::vector<double> Ratios(std::span<const double> numerators,
                           std::span<const double> denominators);

// (q75 - q25) / median: the spread of the values relative to their size.
// NaN for an empty input or a zero median.
double RelativeIqr(std::vector<double> values);

}  // namespace cambrian::kernels

#endif  // CAMBRIAN_KERNELS_STATS_H_
