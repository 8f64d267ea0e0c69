#!/usr/bin/env bash
# The planted-cheat suite, end to end: every case of tests/cheats/TASK/ is
# evaluated by the real binary (`cambrian eval`, the evaluator a run uses) as
# the built-in task TASK's program, under bubblewrap. Prints a table (case,
# expected, observed, what it tries) and fails if a row differs.
#   cheats_test.sh CAMBRIAN_BINARY SOURCE_DIR TASK [EVAL_FLAG...]
# cases.txt lines: case|expected|what it tries, where expected is
#   not_ok       any outcome but ok
#   OUTCOME      exactly that outcome (wrong_answer, runtime_error, ...)
#   honest       ok, and its fitness no better than the task's own seed's
#                beyond twice the task's tolerance (a replay of one program
#                agrees within one tolerance; two programs measured at
#                different moments of a busy machine, within two): the trick
#                gained nothing
#   no_gain      not ok (typically flagged implausible), or honest
# The seed itself runs first, as the honest baseline.
# CHEATS=a,b runs only those cases.
# With `--until STAGE` among the flags (a GPU task on a machine without a
# GPU), every case must pass the stages up to STAGE (outcome ok), except
# those expected to be build_error. A task that needs a GPU, run without
# --until on a machine without one, is skipped (exit 77).
set -uo pipefail

CAMBRIAN=$(realpath "$1")
SRC=$(realpath "$2")
TASK=$3
shift 3
RUN_FLAGS=("$@")
CASES_DIR=$SRC/tests/cheats/$TASK
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cambrian-cheats-$TASK.XXXXXX")
chmod 755 "$WORK"  # the sandbox uid walks down to its job directories
trap 'rm -rf "$WORK"' EXIT

if ! "$CAMBRIAN" doctor --json | python3 -c \
  'import json,sys; sys.exit(0 if json.load(sys.stdin)["modes"][0]["works"] else 1)'; then
  echo "SKIP: bubblewrap does not work here (see cambrian doctor); the cheat suite needs it"
  exit 0
fi

# The editable file the cases replace, and the task's goal and tolerance.
# With [[objectives]] the goal is the headline's: the first objective the
# profile (--profile NAME, else the default) counts.
read -r EDITABLE GOAL TOLERANCE < <(python3 - "$SRC/tasks/$TASK/task.toml" "${RUN_FLAGS[@]}" <<'EOF'
import sys, tomllib
task = tomllib.load(open(sys.argv[1], "rb"))
flags = sys.argv[2:]
fitness = task.get("fitness", {})
goal = fitness.get("goal")
if "objectives" in task:
    name = flags[flags.index("--profile") + 1] if "--profile" in flags else task.get("default_profile")
    chosen = task.get("profiles", {}).get(name, {}).get("objectives") if name else None
    by_name = {o["name"]: o for o in task["objectives"]}
    goal = by_name[chosen[0]]["goal"] if chosen else task["objectives"][0]["goal"]
print(task["program"]["editable"][0], goal, fitness.get("tolerance", 0.1))
EOF
)
EXT=${EDITABLE##*.}
if grep -q 'KERNELS/cuda' "$SRC/tasks/$TASK/task.toml" && ! command -v nvcc >/dev/null &&
  [ ! -x "${CUDA_HOME:-/usr/local/cuda}/bin/nvcc" ]; then
  echo "SKIP: task $TASK builds with nvcc, which is not installed"
  exit 77
fi
UNTIL=""
for flag in "${RUN_FLAGS[@]}"; do [ "$flag" = --until ] && UNTIL=yes; done
# GPUs per job: the profile's (--profile NAME, else the task's default) or
# the task's [resources] gpus.
GPUS=$(python3 - "$SRC/tasks/$TASK/task.toml" "${RUN_FLAGS[@]}" <<'EOF'
import sys, tomllib
task = tomllib.load(open(sys.argv[1], "rb"))
flags = sys.argv[2:]
name = flags[flags.index("--profile") + 1] if "--profile" in flags else task.get("default_profile")
profile = task.get("profiles", {}).get(name, {}) if name else {}
print(profile.get("gpus", task.get("resources", {}).get("gpus", 0)))
EOF
)
if [ -z "$UNTIL" ] && [ "$GPUS" -gt 0 ] && ! nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then
  echo "SKIP: task $TASK needs a GPU and nvidia-smi lists none"
  exit 77
fi

# run_case NAME FILE: prints "outcome fitness" of FILE as the task's program.
run_case() {
  local name=$1 file=$2
  mkdir -p "$WORK/$name"
  cp "$file" "$WORK/$name/$EDITABLE"
  # One work directory for every case: the task's setup (the judge's build)
  # runs once and is reused while the task's files stay the same.
  timeout 900 "$CAMBRIAN" eval "$SRC/tasks/$TASK" --program "$WORK/$name" --json --seed 1 \
    --sandbox bwrap --work-dir "$WORK/eval" "${RUN_FLAGS[@]}" >"$WORK/$name.json" \
    2>"$WORK/$name.err"
  local status=$?
  if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
    echo "cambrian_exit_$status -"
    return
  fi
  python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
print(c["outcome"], c["fitness"] if c["fitness"] is not None else "-")' "$WORK/$name.json"
}

# verdict EXPECTED OUTCOME FITNESS: "pass" or why not.
verdict() {
  local expected=$1 outcome=$2 fitness=$3
  case $expected in
    not_ok) [ "$outcome" != ok ] && echo pass || echo "ended ok" ;;
    honest | no_gain)
      if [ "$outcome" != ok ]; then
        [ "$expected" = no_gain ] && echo pass || echo "ended $outcome"
        return
      fi
      python3 - "$GOAL" "$TOLERANCE" "$SEED_FITNESS" "$fitness" <<'EOF'
import sys
goal, tol, seed, got = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
margin = 2 * tol
better = got > seed * (1 + margin) if goal == "maximize" else got < seed * (1 - margin)
print(f"gained: {got:.4g} against the seed's {seed:.4g}" if better else "pass")
EOF
      ;;
    *) [ "$outcome" = "$expected" ] && echo pass || echo "ended $outcome" ;;
  esac
}

read -r SEED_OUTCOME SEED_FITNESS < <(run_case seed "$SRC/tasks/$TASK/program/$EDITABLE")
if [ "$SEED_OUTCOME" != ok ]; then
  echo "FAIL: the task's own seed ended $SEED_OUTCOME"; cat "$WORK/seed.err"; exit 1
fi
printf '%-22s %-14s %-16s %-12s %s\n' case expected observed fitness "what it tries"
printf '%-22s %-14s %-16s %-12s %s\n' seed ok ok "$SEED_FITNESS" "the honest baseline"
failures=0
while IFS='|' read -r name expected what; do
  case $name in '' | \#*) continue ;; esac
  if [ -n "${CHEATS:-}" ] && [[ ",$CHEATS," != *",$name,"* ]]; then continue; fi
  if [ -n "$UNTIL" ] && [ "$expected" != build_error ]; then expected=ok; fi
  read -r outcome fitness < <(run_case "$name" "$CASES_DIR/$name.$EXT")
  result=$(verdict "$expected" "$outcome" "$fitness")
  mark=""
  if [ "$result" != pass ]; then
    mark="  <-- FAIL: $result"
    failures=$((failures + 1))
    { tail -3 "$WORK/$name.err"; python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["note"])' \
      "$WORK/$name.json" 2>/dev/null; } | sed "s/^/    [$name] /"
  fi
  printf '%-22s %-14s %-16s %-12s %s%s\n' "$name" "$expected" "$outcome" "$fitness" "$what" "$mark"
done <"$CASES_DIR/cases.txt"
[ "$failures" -eq 0 ] && echo "all cheats contained" || echo "FAIL: $failures case(s)"
[ "$failures" -eq 0 ]
