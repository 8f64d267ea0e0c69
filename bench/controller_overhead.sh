#!/usr/bin/env bash
# Harness overhead: how many candidates per second Cambrian evaluates when the
# jobs themselves are nearly free (the quadratic test task: two /bin/sh stages
# of a few milliseconds). Everything above the jobs' own time is overhead:
# proposing, checking, deduplicating, writing the job directory, forking,
# recording in SQLite.
#   bench/controller_overhead.sh [BUDGET] [WORKERS]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
CAMBRIAN=${CAMBRIAN:-$SRC/build/cambrian}
BUDGET=${1:-300}
WORKERS=${2:-2}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The quadratic space has 21 x 11 = 231 programs; a wider copy leaves room for
# a long budget without running out of new candidates.
cp -r "$SRC/tests/data/tasks/quadratic" "$WORK/task"
sed -i 's/range=0..20/range=0..2000/; s/range=0..10/range=0..1000/' "$WORK/task/program/params.sh"

start=$(date +%s.%N)
"$CAMBRIAN" run "$WORK/task" --run-dir "$WORK/run" --budget "$BUDGET" --workers "$WORKERS" \
  --seed 1 >/dev/null 2>&1
end=$(date +%s.%N)

python3 - "$WORK/run/cambrian.db" "$start" "$end" "$BUDGET" "$WORKERS" <<'PY'
import sqlite3, sys
db, start, end, budget, workers = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
con = sqlite3.connect(db)
job = con.execute("SELECT SUM(wall_s) FROM evaluations").fetchone()[0]
n = con.execute("SELECT COUNT(*) FROM candidates WHERE status = 'done'").fetchone()[0]
wall = end - start
print(f"candidates evaluated      {n} (budget {budget}, {workers} workers)")
print(f"wall time                 {wall:.2f} s")
print(f"throughput                {n / wall:.1f} candidates/s")
print(f"job time (sum of stages)  {job:.2f} s")
print(f"overhead per candidate    {(wall * workers - job) / n * 1000:.1f} ms of slot time")
PY
