#!/usr/bin/env bash
# Does evolution beat chance? Runs the built-in matmul task with both
# strategies (evolve: tournament parents; random: the same mutators on
# fitness-blind parents) at the same evaluation budget over several seeds,
# and prints per run the best GFLOP/s and how many evaluations it took to
# reach THRESHOLD x the seed's GFLOP/s.
#   bench/strategies.sh [BUDGET] [SEEDS] [THRESHOLD]     (defaults 40, "1 2 3", 10)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
CAMBRIAN=${CAMBRIAN:-$SRC/build/cambrian}
BUDGET=${1:-40}
SEEDS=${2:-1 2 3}
THRESHOLD=${3:-10}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

printf '%-8s %-5s %12s %12s %22s\n' strategy seed "seed GF/s" "best GF/s" "evals to ${THRESHOLD}x seed"
for strategy in evolve random; do
  for seed in $SEEDS; do
    run="$WORK/$strategy-$seed"
    "$CAMBRIAN" run matmul-cpu --run-dir "$run" --budget "$BUDGET" --workers 2 --seed "$seed" \
      --strategy "$strategy" >/dev/null 2>&1
    python3 - "$run/cambrian.db" "$strategy" "$seed" "$THRESHOLD" <<'PY'
import sqlite3, sys
db, strategy, seed, threshold = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
rows = sqlite3.connect(db).execute(
    "SELECT id, mutator, fitness FROM candidates ORDER BY id").fetchall()
seed_gf = next(f for i, m, f in rows if m == "seed")
best = max(f for i, m, f in rows if f is not None)
reached = next((i for i, m, f in rows if f is not None and f >= threshold * seed_gf), None)
print(f"{strategy:<8} {seed:<5} {seed_gf:12.2f} {best:12.2f} {reached if reached else 'not reached':>22}")
PY
  done
done
