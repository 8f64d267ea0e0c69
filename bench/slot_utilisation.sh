#!/usr/bin/env bash
# Slot utilisation: with N slots and jobs of a fixed length L, a steady-state
# controller should finish N / L candidates per second: a free slot is filled
# at once, never held for a generation to finish. The jobs sleep (no CPU), so
# more slots than cores is fine.
#   bench/slot_utilisation.sh [SLOTS] [JOB_SECONDS] [BUDGET] [SANDBOX]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
CAMBRIAN=${CAMBRIAN:-$SRC/build/cambrian}
SLOTS=${1:-4}
JOB=${2:-0.5}
BUDGET=${3:-80}
SANDBOX=${4:-auto}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The quadratic task with one stage that sleeps JOB seconds and reports.
cp -r "$SRC/tests/data/tasks/quadratic" "$WORK/task"
sed -i 's/range=0..20/range=0..2000/; s/range=0..10/range=0..1000/' "$WORK/task/program/params.sh"
python3 - "$WORK/task/task.toml" "$JOB" <<'PY'
import sys
path, job = sys.argv[1], sys.argv[2]
text = open(path).read()
start = text.index("[[stages]]")
end = text.index("[fitness]")
stage = f'''[[stages]]
name = "score"
run = "sleep {job} && sh $CAMBRIAN_TRUSTED/score.sh"
timeout = "30s"
pass_if = "valid == 1"

'''
open(path, "w").write(text[:start] + stage + text[end:])
PY

start=$(date +%s.%N)
"$CAMBRIAN" run "$WORK/task" --run-dir "$WORK/run" --budget "$BUDGET" --workers "$SLOTS" \
  --seed 1 --sandbox "$SANDBOX" >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; exit 1; }
end=$(date +%s.%N)

python3 - "$WORK/run/cambrian.db" "$start" "$end" "$BUDGET" "$SLOTS" "$JOB" "$SANDBOX" <<'PY'
import sqlite3, sys
db, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
budget, slots, job, sandbox = int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), sys.argv[7]
con = sqlite3.connect(db)
n = con.execute("SELECT COUNT(*) FROM candidates WHERE status = 'done'").fetchone()[0]
first, last = con.execute("SELECT MIN(created_at), MAX(finished_at) FROM candidates").fetchone()
measured = con.execute("SELECT AVG(wall_s) FROM evaluations").fetchone()[0]
ideal = slots / job
search = last - first
print(f"slots {slots}, job {job:.3f} s (measured in the sandbox: {measured:.3f} s), "
      f"{n} candidates, sandbox {sandbox}")
print(f"ideal throughput          {ideal:.2f} candidates/s (slots / job length)")
print(f"achieved, search only     {n / search:.2f} candidates/s = {100 * n / search / ideal:.1f}% "
      f"({search:.2f} s from the seed's start to the last result)")
print(f"slot busy time            {100 * n * measured / (slots * search):.1f}% of slot time "
      f"(measured job time x candidates / slots x search time)")
print(f"achieved, whole command   {n / (end - start):.2f} candidates/s = "
      f"{100 * n / (end - start) / ideal:.1f}% (start-up and leaderboard included)")
PY
