#!/usr/bin/env bash
# The Slurm executor's two modes on the loopback cluster (tests/slurm/cluster.sh):
# how long an evaluation waits between its submission and the start of its
# first stage on a node, and candidates per second with short jobs, beside
# the local executor on the same task with as many slots. Workers mode's
# figures include starting the array (the first evaluations wait for it).
#   bench/slurm.sh [NODES] [BUDGET] [JOB_SECONDS]    (as root: slurmd needs it)
# NODES one-CPU nodes, so NODES jobs at once; JOB_SECONDS of sleep per job.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
CAMBRIAN=${CAMBRIAN:-$SRC/build/cambrian}
NODES=${1:-3}
BUDGET=${2:-30}
JOB=${3:-0}
[ "$(id -u)" = 0 ] || { echo "bench/slurm.sh: needs root (slurmd runs jobs as their owner)" >&2; exit 1; }
WORK=$(mktemp -d)
trap '"$SRC/tests/slurm/cluster.sh" stop "$WORK/cluster"; rm -rf "$WORK"' EXIT
eval "$("$SRC/tests/slurm/cluster.sh" start "$WORK/cluster" "$NODES" 1)"

# The quadratic task, its first stage stamping when it started (a metric),
# its score stage sleeping JOB seconds.
cp -r "$SRC/tests/data/tasks/quadratic" "$WORK/task"
sed -i 's/range=0..20/range=0..2000/; s/range=0..10/range=0..1000/' "$WORK/task/program/params.sh"
python3 - "$WORK/task/task.toml" "$JOB" <<'PY'
import sys
path, job = sys.argv[1], sys.argv[2]
text = open(path).read()
start, end = text.index("[[stages]]"), text.index("[fitness]")
stages = f'''[[stages]]
name = "build"
run = "printf '{{\\"metrics\\": {{\\"started_at\\": %s}}}}' $(date +%s.%N) > $CAMBRIAN_OUT/metrics.json && sh -n params.sh"
timeout = "10s"

[[stages]]
name = "score"
run = "sleep {job} && sh $CAMBRIAN_TRUSTED/score.sh"
timeout = "30s"
pass_if = "valid == 1"

[resources]
memory = "1GiB"

'''
open(path, "w").write(text[:start] + stages + text[end:])
PY

run() {  # NAME FLAGS...
  local name=$1 start end
  shift
  start=$(date +%s.%N)
  "$CAMBRIAN" run "$WORK/task" --run-dir "$WORK/$name" "$@" --budget "$BUDGET" \
    --workers "$NODES" --seed 1 >/dev/null 2>"$WORK/$name.err" || { cat "$WORK/$name.err"; exit 1; }
  end=$(date +%s.%N)
  python3 - "$WORK/$name/cambrian.db" "$name" "$start" "$end" <<'PY'
import json, sqlite3, statistics, sys
db, name, start, end = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
rows = sqlite3.connect(db).execute(
    "SELECT created_at, metrics FROM candidates WHERE status = 'done'").fetchall()
waits = sorted(json.loads(m)["started_at"] - c for c, m in rows if "started_at" in json.loads(m))
q = lambda p: waits[min(len(waits) - 1, int(p * len(waits)))]
print(f"{name:8} {len(rows):4d} candidates in {end - start:6.1f} s = {len(rows) / (end - start):5.2f}/s;"
      f" submission to first stage: median {statistics.median(waits):.2f} s,"
      f" p90 {q(0.9):.2f} s, max {waits[-1]:.2f} s")
PY
}

echo "$NODES slots ($NODES one-CPU Slurm nodes), $BUDGET evaluations, jobs of ${JOB}s + the stages:"
run local --executor local
run jobs --executor slurm --slurm-mode jobs
run workers --executor slurm --slurm-mode workers
