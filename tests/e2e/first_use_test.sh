#!/usr/bin/env bash
# The rough edges a new user hit on a fresh clone (issue 15), each as the
# user met it: every case failed before its fix.
#   first_use_test.sh CAMBRIAN_BINARY SOURCE_DIR CASE
set -uo pipefail

source "$(dirname "$0")/lib.sh"

# The README's export line and its apply command, followed verbatim at the
# top of a git checkout (it exited 0 and changed nothing from the task's
# program directory).
case_patch_verbatim() {
  "$CAMBRIAN" run matmul-cpu --run-dir runs/m --budget 6 --workers 2 --seed 3 \
    >run.out 2>run.err || fail "matmul run exited $?: $(tail -5 run.err)"
  local best line apply
  best=$("$CAMBRIAN" leaderboard --json --run-dir runs/m | json 'data[0]["id"]')
  [ "$best" != 1 ] || fail "the seed is still the best: no patch to apply"
  line=$(grep -F 'export 26 --patch > win.patch' "$SRC/README.md") || fail "no export line in README"
  apply=${line#*apply (here, at the clone\'s top): }
  [ "$apply" != "$line" ] || fail "the README line names no apply command: $line"
  mkdir clone && cp -r "$SRC/tasks" clone/ && (cd clone && git init -q && git add -A &&
    git -c user.email=t@t -c user.name=t commit -qm seed) || fail "making the checkout"
  "$CAMBRIAN" export "$best" --run-dir runs/m --patch >clone/win.patch || fail "export"
  (cd clone && eval "$apply") || fail "the README's apply command failed: $apply"
  (cd clone && git diff --quiet -- tasks/matmul-cpu/program) &&
    fail "the README's apply command changed nothing: $apply"
  "$CAMBRIAN" eval clone/tasks/matmul-cpu --json >eval.json 2>eval.err ||
    fail "the patched program does not pass: $(tail -3 eval.err)"
}

# --budget 0 and -5 ran 100 evaluations.
case_bad_budget() {
  local out
  for budget in 0 -5; do
    out=$("$CAMBRIAN" run "$TASKS/quadratic" --run-dir "runs/b$budget" --budget "$budget" 2>&1) &&
      fail "--budget $budget ran"
    expect_contains "$out" "--budget must be at least 1" "--budget $budget"
    [ ! -e "runs/b$budget" ] || fail "--budget $budget left a run directory"
  done
  printf '[run]\nbudget = 0\n' >zero.toml
  out=$("$CAMBRIAN" run "$TASKS/quadratic" --run-dir runs/t --config zero.toml 2>&1) &&
    fail "a config file's budget = 0 ran"
  expect_contains "$out" "zero.toml" "the file is named"
  expect_contains "$out" "must be at least 1" "the reason"
}

# A fitness naming a metric no stage reports: 30 candidates all failed and
# the run exited 0.
case_seed_fails() {
  cp -r "$TASKS/quadratic" typo && sed -i 's/^score = .*/score = "-(x - 13)^2 - (yy - 4)^2"/' typo/task.toml
  local out code=0 start=$SECONDS
  out=$("$CAMBRIAN" run typo --run-dir runs/typo --budget 30 --workers 2 2>&1) || code=$?
  [ "$code" = 1 ] || fail "the run with a failing seed exited $code"
  [ $((SECONDS - start)) -lt 60 ] || fail "it took $((SECONDS - start)) s to give up"
  expect_contains "$out" "the seed #1 failed (wrong_answer)" "the seed's failure"
  expect_contains "$out" "'yy'" "the missing metric is named"
  expect_contains "$out" "cambrian check" "the next step"
  [ "$(sqlite3 runs/typo/cambrian.db 'SELECT count(*) FROM candidates')" -le 3 ] ||
    fail "the run went on after the seed failed"
  # A stub seed that an LLM is meant to complete may fail, when asked.
  "$CAMBRIAN" run typo --run-dir runs/stub --budget 4 --seed-may-fail >stub.out 2>stub.err ||
    fail "--seed-may-fail stopped: $(tail -3 stub.err)"
}

# A feature "knob:NAME" naming no knob was accepted silently.
case_knob_feature() {
  cp -r "$TASKS/quadratic" feat
  printf '\n[features]\n"knob:Z" = { bins = 4, range = [0, 20] }\n' >>feat/task.toml
  local out
  out=$("$CAMBRIAN" run feat --run-dir runs/f --budget 3 2>&1) && fail "a feature naming no knob ran"
  expect_contains "$out" "feat/task.toml" "the file"
  expect_contains "$out" "'knob:Z' names no knob" "the feature"
  expect_contains "$out" "did you mean 'knob:X'?" "the closest knob"
}

# status divided by a fixed 10 minutes: 200 evaluations in 24 s was 20/min.
case_status_rate() {
  "$CAMBRIAN" run "$TASKS/quadratic" --run-dir runs/q --budget 30 --workers 2 >run.out 2>run.err ||
    fail "run exited $?"
  local rate
  rate=$("$CAMBRIAN" status --run-dir runs/q --json | json 'data["rate"]')
  python3 -c "r = $rate; assert r['evaluations'] == 30 and r['window_seconds'] < 120 and r['per_minute'] > 30 * 60 / 120, r" ||
    fail "status rate: $rate"
  expect_contains "$("$CAMBRIAN" status --run-dir runs/q)" "of work" "the text says which window"
}

# The "Next:" hint left --run-dir off replay and export: copying it exported
# the latest run's winner, not this run's.
case_next_hints() {
  "$CAMBRIAN" run "$TASKS/quadratic" --run-dir "runs/my first" --budget 12 >a.out 2>a.err ||
    fail "run exited $?"
  "$CAMBRIAN" run "$TASKS/quadratic" --run-dir runs/later --budget 3 --seed 9 >b.out 2>b.err ||
    fail "second run exited $?"
  local export_line expected
  for command in show replay export; do
    grep -E "cambrian $command [0-9]+ --run-dir 'runs/my first'" a.out >/dev/null ||
      fail "the $command hint does not name the run: $(grep -A3 Next: a.out)"
  done
  export_line=$(grep -oE "cambrian export .*" a.out)
  (eval "$CAMBRIAN${export_line#cambrian}") || fail "the export hint failed: $export_line"
  expected=$("$CAMBRIAN" leaderboard --run-dir "runs/my first" --json | json 'data[0]["id"]')
  "$CAMBRIAN" export "$expected" --run-dir "runs/my first" --patch >expected.patch
  cmp -s best.patch expected.patch || fail "the export hint exported another run's winner"
}

# A run that failed at start left an empty directory that became "latest".
case_failed_start() {
  "$CAMBRIAN" run "$TASKS/quadratic" --run-dir runs/good --budget 3 >good.out 2>&1 || fail "run"
  sleep 1
  local out
  unset CAMBRIAN_NO_SUCH_KEY
  out=$("$CAMBRIAN" run "$TASKS/quadratic" --budget 3 --llm openai:m \
    --llm-key-env CAMBRIAN_NO_SUCH_KEY 2>&1) && fail "a run without its key started"
  expect_contains "$out" "CAMBRIAN_NO_SUCH_KEY" "the missing variable"
  [ "$(ls runs)" = good ] || fail "the failed start left a run directory: $(ls runs)"
  expect_contains "$("$CAMBRIAN" leaderboard)" "runs/good" "the latest run"
}

# `cambrian leaderbord` said only "A subcommand is required".
case_command_typo() {
  local out code=0
  out=$("$CAMBRIAN" leaderbord 2>&1) || code=$?
  [ "$code" = 2 ] || fail "a mistyped command exited $code"
  expect_contains "$out" "unknown command 'leaderbord' (did you mean 'leaderboard'?)" "suggestion"
  out=$("$CAMBRIAN" frobnicate 2>&1) && fail "an unknown command ran"
  expect_contains "$out" "unknown command 'frobnicate'" "no suggestion when nothing is close"
}

# A Python exception in a one-stage task was a build_error; the leaderboard
# had no history of the best, and no tie marks.
case_one_stage_and_history() {
  mkdir -p one/program one/harness
  printf 'X = 3  # @knob range=0..20\n' >one/program/prog.py
  cat >one/program/run.py <<'PY'
import json, os
from prog import X
if X % 2 == 1 and X != 3:
    raise RuntimeError("odd numbers are unlucky")
json.dump({"metrics": {"x": X}}, open(os.environ["CAMBRIAN_OUT"] + "/metrics.json", "w"))
PY
  cat >one/task.toml <<'TOML'
name = "one-stage"
description = "One stage that runs Python: an exception is a runtime error."
[program]
root = "program"
editable = ["prog.py"]
[[stages]]
name = "run"
run = "python3 run.py"
timeout = "20s"
[fitness]
score = "-(x - 9)^2"
goal = "maximize"
noise = 4.0
confirm = 0
TOML
  "$CAMBRIAN" run one --run-dir runs/one --budget 25 --workers 2 >run.out 2>run.err ||
    fail "run exited $?: $(tail -3 run.err)"
  local outcome
  outcome=$(sqlite3 runs/one/cambrian.db "SELECT DISTINCT outcome FROM candidates WHERE outcome != 'ok'")
  [ "$outcome" = runtime_error ] || fail "a Python exception was recorded as '$outcome'"
  local history
  history=$("$CAMBRIAN" leaderboard --run-dir runs/one --history)
  expect_contains "$history" "each new best" "the history header"
  # Each entry beats the one before it, in the order they came.
  "$CAMBRIAN" leaderboard --run-dir runs/one --history --json |
    json 'len(data) >= 1 and all(a["fitness"] < b["fitness"] for a, b in zip(data, data[1:]))' |
    grep -q True || fail "the JSON history does not rise: $history"
  expect_contains "$("$CAMBRIAN" leaderboard --run-dir runs/one)" "noise floor (4)" "tie marks"
}

# `cambrian check`: the seed through every stage before a long run.
case_check() {
  local out code=0
  out=$("$CAMBRIAN" check "$TASKS/quadratic" 2>&1) || fail "check of a good task: $out"
  for needle in "stages    build -> score" "knobs     X, Y" "score      ok" "ready:"; do
    expect_contains "$out" "$needle" "check's report"
  done
  cp -r "$TASKS/quadratic" typo && sed -i 's/^score = .*/score = "-(x - 13)^2 - (yy - 4)^2"/' typo/task.toml
  out=$("$CAMBRIAN" check typo 2>&1) || code=$?
  [ "$code" = 1 ] || fail "check of a failing seed exited $code"
  expect_contains "$out" "fitness needs metric 'yy', which no stage reported" "the reason"
  cp -r "$TASKS/quadratic" broken && sed -i 's/timeout = "10s"/timeout = 10/' broken/task.toml
  out=$("$CAMBRIAN" check broken 2>&1) && fail "check of a broken task passed"
  expect_contains "$out" "broken/task.toml:" "the file and line"
  "$CAMBRIAN" check "$TASKS/quadratic" --json | json 'data["outcome"] == "ok"' | grep -q True ||
    fail "check --json"
}

"case_$CASE" || exit 1
echo "PASS [$CASE]"
