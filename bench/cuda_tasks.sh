#!/usr/bin/env bash
# The CUDA kernel tasks on this machine's GPU: for each built-in CUDA task,
# a short offline search (knob mutation and crossover, no LLM) from its
# seed, then the seed's and the winner's figures as the judge measured them
# (speedup over the task's reference, kernel time, achieved rate against
# the device's peak). This is the table in each tasks/<task>/README.md.
#   bench/cuda_tasks.sh [BUDGET] [TASKS]      (defaults 40, every CUDA task)
# Needs a GPU (nvidia-smi) and the CUDA Toolkit (nvcc); one job per GPU.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
CAMBRIAN=${CAMBRIAN:-$SRC/build/cambrian}
BUDGET=${1:-40}
TASKS=${2:-$(grep -l 'KERNELS/cuda' "$SRC"/tasks/*/task.toml | xargs -n1 dirname | xargs -n1 basename)}
WORK=${WORK:-$(mktemp -d)}
nvidia-smi -L | grep -q '^GPU' || { echo "no GPU: nvidia-smi -L lists none" >&2; exit 1; }
echo "GPU: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -n1)"
echo "command: bench/cuda_tasks.sh $BUDGET (cambrian run TASK --budget $BUDGET --workers 1 --seed 1)"
printf '%-22s %9s %9s %12s %12s %14s %s\n' task "seed x" "best x" "seed us" "best us" "best rate" "winner"
for task in $TASKS; do
  run="$WORK/$task"
  "$CAMBRIAN" run "$task" --run-dir "$run" --budget "$BUDGET" --workers 1 --seed 1 \
    >"$WORK/$task.log" 2>&1 || { echo "$task: run failed, see $WORK/$task.log"; continue; }
  python3 - "$run/cambrian.db" "$task" <<'PY'
import json, sqlite3, sys
db, task = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db)
rows = con.execute("SELECT id, mutator, fitness, metrics FROM candidates "
                   "WHERE fitness IS NOT NULL ORDER BY id").fetchall()
seed = next(r for r in rows if r[1] == "seed")
best = max(rows, key=lambda r: r[2])
def rate(metrics):
    m = json.loads(metrics)
    if "gflops" in m:
        return f"{m['gflops']:.0f}/{m.get('peak_gflops', 0):.0f} GF/s"
    return f"{m.get('gbps', 0):.0f}/{m.get('peak_gbps', 0):.0f} GB/s"
sm, bm = json.loads(seed[3]), json.loads(best[3])
print(f"{task:<22} {seed[2]:9.3f} {best[2]:9.3f} {sm.get('kernel_us', 0):12.1f} "
      f"{bm.get('kernel_us', 0):12.1f} {rate(best[3]):>14} #{best[0]} ({best[1]})")
PY
done
echo "runs kept in $WORK (cambrian leaderboard --run-dir $WORK/TASK)"
