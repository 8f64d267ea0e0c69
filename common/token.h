// Random bearer tokens and their constant-time comparison: the dashboard's
// token and the Slurm workers' token (evaluator/worker_executor.h).
#ifndef CAMBRIAN_COMMON_TOKEN_H_
#define CAMBRIAN_COMMON_TOKEN_H_

#include <string>

namespace cambrian {

// 32 hex digits from getrandom(2); "" if the kernel gave none.
std::string MakeToken();

// Compares without an early exit, so timing tells nothing of the token.
bool SameToken(const std::string& a, const std::string& b);

}  // namespace cambrian

#endif  // CAMBRIAN_COMMON_TOKEN_H_
