#!/usr/bin/env bash
# Does evolution beat chance? Runs the built-in matmul task with both
# strategies (evolve: islands of MAP-Elites grids; random: the same mutators
# on fitness-blind parents) at the same evaluation budget over several seeds,
# and prints per run the best fitness (the judge's speedup over its reference
# kernel) and how many evaluations it took to reach THRESHOLD x the seed's,
# then a summary per strategy.
# The runs of the two strategies alternate, so machine load hits both alike.
#   bench/strategies.sh [BUDGET] [SEEDS] [THRESHOLD]     (defaults 50, "1 2 3 4 5 6", 20)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
CAMBRIAN=${CAMBRIAN:-$SRC/build/cambrian}
BUDGET=${1:-50}
SEEDS=${2:-1 2 3 4 5 6}
THRESHOLD=${3:-20}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

printf '%-8s %-5s %10s %10s %8s %14s %22s\n' strategy seed "seed fit." "best fit." "x seed" \
  "x seed at $((BUDGET / 2))" "evals to ${THRESHOLD}x seed"
for seed in $SEEDS; do
  for strategy in evolve random; do
    run="$WORK/$strategy-$seed"
    "$CAMBRIAN" run matmul-cpu --run-dir "$run" --budget "$BUDGET" --workers 2 --seed "$seed" \
      --strategy "$strategy" >/dev/null 2>&1
    python3 - "$run/cambrian.db" "$strategy" "$seed" "$THRESHOLD" "$WORK/results" <<'PY'
import sqlite3, sys
db, strategy, seed, threshold, results = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5]
rows = sqlite3.connect(db).execute(
    "SELECT id, mutator, fitness FROM candidates ORDER BY id").fetchall()
seed_gf = next(f for i, m, f in rows if m == "seed")
best = max(f for i, m, f in rows if f is not None)
reached = next((i for i, m, f in rows if f is not None and f >= threshold * seed_gf), None)
half = max(f for i, m, f in rows[: len(rows) // 2] if f is not None)
print(f"{strategy:<8} {seed:<5} {seed_gf:10.4g} {best:10.4g} {best / seed_gf:8.1f} "
      f"{half / seed_gf:14.1f} {reached if reached else 'not reached':>22}", flush=True)
with open(results, "a") as out:
    out.write(f"{strategy} {best / seed_gf} {reached or 0} {half / seed_gf}\n")
PY
  done
done

python3 - "$WORK/results" "$BUDGET" "$THRESHOLD" <<'PY'
import statistics, sys
path, budget, threshold = sys.argv[1], int(sys.argv[2]), sys.argv[3]
runs = {}
for line in open(path):
    strategy, ratio, reached, half = line.split()
    runs.setdefault(strategy, []).append((float(ratio), int(reached), float(half)))
print()
print(f"{'strategy':<8} {'runs':>4} {'median best (x seed)':>21} {'mean best at half':>18} "
      f"{'reached ' + threshold + 'x':>12} {'median evals to it':>19}")
for strategy in ("evolve", "random"):
    rs = runs.get(strategy, [])
    hits = [r for _, r, _ in rs if r > 0]
    # Runs that never reached it count as the budget + 1 for the median.
    evals = sorted(r if r > 0 else budget + 1 for _, r, _ in rs)
    median_evals = statistics.median(evals)
    shown = f"{median_evals:.0f}" if median_evals <= budget else f"> {budget}"
    print(f"{strategy:<8} {len(rs):>4} {statistics.median(r for r, _, _ in rs):>21.1f} "
          f"{statistics.mean(h for _, _, h in rs):>18.1f} {len(hits):>9}/{len(rs):<2} {shown:>19}")
PY
