// Named numeric measurements of a candidate ("gflops", "correct", ...).
#ifndef CAMBRIAN_COMMON_METRICS_H_
#define CAMBRIAN_COMMON_METRICS_H_

#include <map>
#include <string>

namespace cambrian {

// Ordered so that printing and hashing are deterministic.
using Metrics = std::map<std::string, double>;

}  // namespace cambrian

#endif  // CAMBRIAN_COMMON_METRICS_H_
