#!/usr/bin/env bash
# What the separated judge costs. Three versions of one nearly free task are
# searched with the same budget, under bubblewrap, one worker:
#   plain     one stage whose job reports its own metric (no judge: the old way)
#   judged    one judged stage: a C++ worker and judge from kernels/cpp that
#             exchange HELLO, the buffers and one empty call, the judge reports
#   judged_N  the same with CALLS empty calls per evaluation
# and the per-evaluation slot time, the extra time a judged stage costs, and
# the judge's own median round trip of one empty call are printed.
#   bench/judge_overhead.sh [BUDGET] [CALLS]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
CAMBRIAN=${CAMBRIAN:-$SRC/build/cambrian}
BUDGET=${1:-100}
CALLS=${2:-1000}
WORK=$(mktemp -d)
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$WORK/base/program" "$WORK/base/harness"
cat >"$WORK/base/program/params.sh" <<'EOF'
X=3  # @knob range=0..100000
EOF

# The worker serves empty calls and declares X; the judge counts.
cat >"$WORK/base/harness/worker.cc" <<'EOF'
#include <cstdlib>
#include <fstream>
#include <string>
#include "worker.h"
int main() {
  std::ifstream params("params.sh");
  std::string line;
  std::getline(params, line);
  cambrian::kernels::Declarations hello;
  hello.Add("x", line.substr(2, line.find(' ') - 2));
  return cambrian::kernels::RunWorkerFromEnv(
      hello, [](const cambrian::kernels::WorkerCall&, const cambrian::kernels::WorkerMemory&) {
        return cambrian::kernels::WorkerReply::Done();
      });
}
EOF
cat >"$WORK/base/harness/judge.cc" <<'EOF'
#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>
#include "judge_session.h"
#include "report.h"
using namespace cambrian::kernels;
int main(int argc, char** argv) {
  const int calls = argc > 1 ? std::atoi(argv[1]) : 1;
  std::string error;
  auto session = JudgeSession::FromEnv(&error);
  if (!session) return 2;
  Report report;
  Declarations hello;
  if (session->AwaitHello(10000, &hello) || session->ShareMemory(4096, 4096)) {
    report.Set("x", 0);
    WriteReportAndExit(report);
  }
  CallSpec spec;
  spec.prepare = [](std::span<std::byte>, std::span<std::byte>) {};
  for (int i = 0; i < calls; ++i) {
    if (session->Call(spec).fault) break;
  }
  (void)session->Finish();
  std::vector<int64_t> wall;
  for (const CallCharge& c : session->timer().calls()) wall.push_back(c.wall_ns);
  std::sort(wall.begin(), wall.end());
  report.Set("x", hello.FindNumber("x").value_or(0));
  report.Set("call_us", wall.empty() ? 0 : wall[wall.size() / 2] / 1e3);
  WriteReportAndExit(report);
}
EOF
K=$SRC/kernels/cpp
g++ -O2 -std=c++20 -I"$K" "$WORK/base/harness/worker.cc" "$K"/*.cc -o "$WORK/base/harness/worker"
g++ -O2 -std=c++20 -I"$K" "$WORK/base/harness/judge.cc" "$K"/*.cc -o "$WORK/base/harness/judge"

# make_task NAME STAGE_TOML
make_task() {
  cp -r "$WORK/base" "$WORK/$1"
  cat >"$WORK/$1/task.toml" <<EOF
name = "overhead-$1"
description = "Report X."
[program]
root = "program"
editable = ["params.sh"]
[trusted]
root = "harness"
[[stages]]
name = "score"
$2
[fitness]
score = "x"
goal = "maximize"
confirm = 0
EOF
}
make_task plain 'run = ". ./params.sh; echo \"{\\\"metrics\\\": {\\\"x\\\": $X}}\" > $CAMBRIAN_OUT/metrics.json"'
make_task judged 'run = "$CAMBRIAN_TRUSTED/worker"
judge = "$CAMBRIAN_TRUSTED/judge 1"'
make_task judged_n "run = \"\$CAMBRIAN_TRUSTED/worker\"
judge = \"\$CAMBRIAN_TRUSTED/judge $CALLS\""

for name in plain judged judged_n; do
  start=$(date +%s.%N)
  "$CAMBRIAN" run "$WORK/$name" --run-dir "$WORK/run-$name" --budget "$BUDGET" --workers 1 \
    --seed 1 --sandbox bwrap >/dev/null 2>"$WORK/$name.err" || { cat "$WORK/$name.err"; exit 1; }
  end=$(date +%s.%N)
  echo "$name $start $end" >>"$WORK/times"
done

python3 - "$WORK" "$CALLS" <<'PY'
import json, sqlite3, sys
work, calls = sys.argv[1], int(sys.argv[2])
rows = {}
for line in open(f"{work}/times"):
    name, start, end = line.split()
    con = sqlite3.connect(f"{work}/run-{name}/cambrian.db")
    n = con.execute("SELECT COUNT(*) FROM candidates WHERE status = 'done' AND outcome = 'ok'").fetchone()[0]
    stage = con.execute("SELECT AVG(wall_s) FROM evaluations").fetchone()[0]
    us = [json.loads(m).get("call_us") for (m,) in con.execute("SELECT metrics FROM candidates")]
    us = sorted(u for u in us if u)
    rows[name] = (n, (float(end) - float(start)) / n * 1e3, stage * 1e3, us[len(us) // 2] if us else None)
print(f"{'variant':10s} {'ok evals':>8s} {'ms/evaluation':>14s} {'worker stage ms':>16s} {'median call us':>15s}")
for name, (n, per, stage, us) in rows.items():
    print(f"{name:10s} {n:8d} {per:14.1f} {stage:16.1f} {us if us is not None else '-':>15}")
extra = rows["judged"][1] - rows["plain"][1]
per_call = (rows["judged_n"][1] - rows["judged"][1]) / max(1, calls - 1) * 1e3
print(f"\na judged stage costs {extra:.1f} ms more per evaluation than a plain one "
      f"(a second sandbox, the judge's start, HELLO and the buffers);")
print(f"each further call costs {per_call:.1f} us ({calls} calls per evaluation in judged_n).")
PY
