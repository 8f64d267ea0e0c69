// Review of a multi-objective run: its Pareto front over the recorded
// candidates, and how the review commands print objectives.
#ifndef CAMBRIAN_ORCHESTRATOR_REVIEW_FRONT_H_
#define CAMBRIAN_ORCHESTRATOR_REVIEW_FRONT_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "archive/archive.h"
#include "common/pareto.h"
#include "common/task.h"
#include "orchestrator/review.h"

namespace cambrian::orchestrator {

// The ids on the front of `scored` (candidates with a fitness): those no
// other dominates beyond the noise (common/pareto.h). Empty for a task with
// one fitness.
std::set<int64_t> RunFront(const Task& task, const std::vector<archive::Candidate>& scored);

// A scored candidate that dominates `candidate`, if any (the first in
// `scored`): why it is not on the front.
std::optional<int64_t> DominatedBy(const Task& task, const archive::Candidate& candidate,
                                   const std::vector<archive::Candidate>& scored);

// "val_bpb 2.31 (minimize), train_seconds 4.1 (minimize)".
std::string FormatObjectives(const Task& task, const archive::Candidate& candidate);

// The leaderboard's format for `task`: its noise, and with several
// objectives their columns and the front's marks.
LeaderboardFormat TaskLeaderboardFormat(const Task& task, std::set<int64_t> front);

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_REVIEW_FRONT_H_
