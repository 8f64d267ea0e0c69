#!/usr/bin/env bash
# End-to-end tests of the `cambrian` binary, run as a user would.
#   cli_test.sh CAMBRIAN_BINARY SOURCE_DIR CASE
# Each CASE is a function below; CMake registers one ctest test per case.
set -uo pipefail

source "$(dirname "$0")/lib.sh"

# A fast search on the quadratic task, shared by the review cases.
quadratic_run() {
  "$CAMBRIAN" run "$TASKS/quadratic" --run-dir runs/q --budget 30 --workers 2 --seed 7 \
    >run.out 2>run.err || fail "run exited $?: $(cat run.err)"
}

case_run_and_leaderboard() {
  quadratic_run
  expect_contains "$(cat run.out)" "evaluation budget of 30 reached" "run summary"
  expect_contains "$(cat run.out)" "rank  id" "final leaderboard"
  local board
  board=$("$CAMBRIAN" leaderboard --json --top 0) || fail "leaderboard (latest run) failed"
  [ "$(json 'len(data)' <<<"$board")" = 30 ] || fail "30 scored candidates expected"
  json 'all(a["fitness"] >= b["fitness"] for a, b in zip(data, data[1:]))' <<<"$board" |
    grep -q True || fail "leaderboard not best-first"
  json 'sorted(data[0].keys())' <<<"$board" | grep -q "'parent_id'" || fail "json keys"
  local seed best
  seed=$(json '[c["fitness"] for c in data if c["mutator"] == "seed"][0]' <<<"$board")
  best=$(json 'data[0]["fitness"]' <<<"$board")
  python3 -c "import sys; sys.exit(0 if $best > $seed else 1)" || fail "no improvement on seed"
  [ "$(sqlite3 runs/q/cambrian.db 'PRAGMA integrity_check')" = ok ] || fail "db integrity"
}

case_show_diff_export() {
  quadratic_run
  local best
  best=$("$CAMBRIAN" leaderboard --json | json 'data[0]["id"]')
  local shown
  shown=$("$CAMBRIAN" show "$best" --run-dir runs/q)
  expect_contains "$shown" "candidate #$best" "show header"
  expect_contains "$shown" "lineage   #$best" "show lineage"
  expect_contains "$shown" "score" "show stages"
  "$CAMBRIAN" show "$best" --json | json 'len(data["stages"])' | grep -qx 2 || fail "show --json"
  "$CAMBRIAN" show --run --json | json 'data["seed"] == 7 and data["config"]["workers"] == 2' |
    grep -q True || fail "show --run does not give the seed and the effective config"
  expect_contains "$("$CAMBRIAN" diff "$best" --against seed)" "+++ b/params.sh" "diff"
  "$CAMBRIAN" export "$best" --patch >win.patch || fail "export --patch"
  cp -r "$TASKS/quadratic/program" applied
  (cd applied && git apply "$WORK/win.patch") || fail "git apply of the exported patch"
  "$CAMBRIAN" export "$best" --out exported 2>/dev/null || fail "export --out"
  diff -r applied exported || fail "patched seed differs from exported files"
  local out
  out=$("$CAMBRIAN" show 999 2>&1) && fail "show of a missing id succeeded"
  expect_contains "$out" "no candidate #999" "missing id message"
}

case_replay() {
  quadratic_run
  local best out
  best=$("$CAMBRIAN" leaderboard --json | json 'data[0]["id"]')
  out=$("$CAMBRIAN" replay "$best" --repeats 2 2>&1) || fail "replay exited $?: $out"
  expect_contains "$out" "#$best holds" "replay verdict"
  expect_contains "$out" "replay 2" "replay columns"
}

case_tasks() {
  local out
  out=$("$CAMBRIAN" tasks) || fail "tasks"
  expect_contains "$out" "matmul-cpu" "built-in task list"
  "$CAMBRIAN" >/dev/null 2>&1
  [ $? = 2 ] || fail "a missing subcommand is a usage error (exit 2)"
  "$CAMBRIAN" run --no-such-flag x >/dev/null 2>&1
  [ $? = 2 ] || fail "an unknown flag is a usage error (exit 2)"
  # Repeatable options take one value each, so the task may follow them.
  "$CAMBRIAN" run --llm openai:m --llm-key-env '' --weight llm=1 "$TASKS/quadratic" \
    --run-dir runs/t --budget 1 >/dev/null 2>&1 || fail "a task after --llm was not taken as the task"
  out=$("$CAMBRIAN" run 2>&1) && fail "run without a task ran"
  expect_contains "$out" "run needs a TASK" "missing task message"
  out=$("$CAMBRIAN" run --resume --run-dir nowhere 2>&1) && fail "resumed nothing"
  expect_contains "$out" "no run to resume in" "resume of a missing run"
  out=$("$CAMBRIAN" run no-such-task 2>&1) && fail "an unknown task ran"
  expect_contains "$out" "no built-in task of that name (built-in: " "unknown task message"
  expect_contains "$out" "matmul-cpu" "unknown task message lists the built-ins"
  out=$("$CAMBRIAN" run "$TASKS/quadratic" --profile smoke --run-dir runs/p 2>&1) &&
    fail "an undeclared profile ran"
  expect_contains "$out" "unknown profile 'smoke' (the task declares no profiles)" "bad --profile"
  [ ! -e runs/p ] || fail "a run directory was made for a refused profile"
}

# write_task NAME: a copy of the quadratic task to break.
write_task() {
  cp -r "$TASKS/quadratic" "$1"
}

expect_task_error() {  # DIR NEEDLE...
  local dir=$1 out
  shift
  out=$("$CAMBRIAN" run "$dir" --run-dir runs/broken --budget 3 2>&1) && fail "broken task ran"
  for needle in "$@"; do expect_contains "$out" "$needle" "error for $dir"; done
}

case_broken_tasks() {
  quadratic_run  # a recorded run that the broken ones must not disturb
  write_task missing_key && sed -i '/^goal/d' missing_key/task.toml
  expect_task_error missing_key "missing_key/task.toml" "fitness.goal"
  write_task wrong_type && sed -i 's/timeout = "10s"/timeout = 10/' wrong_type/task.toml
  expect_task_error wrong_type "wrong_type/task.toml" "timeout" "expected a duration"
  write_task bad_expr && sed -i 's/^score = .*/score = "x +* 2"/' bad_expr/task.toml
  expect_task_error bad_expr "bad_expr/task.toml" "fitness.score"
  write_task no_root && rm -rf no_root/program
  expect_task_error no_root "no_root/task.toml" "program.root"
  write_task bad_knob && sed -i 's/range=0..20/range=20..0/' bad_knob/program/params.sh
  expect_task_error bad_knob "params.sh:3"
  [ "$("$CAMBRIAN" leaderboard --run-dir runs/q --json --top 0 | json 'len(data)')" = 30 ] ||
    fail "the earlier run lost candidates"
}

case_failing_candidates() {
  "$CAMBRIAN" run "$TASKS/faulty" --run-dir runs/f --budget 40 --workers 2 --seed 1 \
    >run.out 2>run.err || fail "run exited $?: $(tail -5 run.err)"
  local outcomes
  outcomes=$("$CAMBRIAN" leaderboard --all --json --top 0 --run-dir runs/f |
    json '" ".join(sorted(set(c["outcome"] for c in data)))')
  for outcome in ok build_error runtime_error timeout wrong_answer output_limit; do
    expect_contains "$outcomes" "$outcome" "outcomes recorded"
  done
  [ "$("$CAMBRIAN" leaderboard --all --json --top 0 --run-dir runs/f | json 'len(data)')" = 40 ] ||
    fail "the run did not go on to its budget"
  local silent
  silent=$("$CAMBRIAN" leaderboard --all --json --top 0 --run-dir runs/f |
    json '[c["feedback"] for c in data if c["outcome"] == "wrong_answer"][0]')
  expect_contains "$silent" "no stage reported" "a silent candidate's reason"
}

case_interrupt_and_lock() {
  # Slow candidates (the hang mode never finishes before its 2 s timeout).
  cp -r "$TASKS/faulty" slow && sed -i 's/MODE=ok /MODE=hang /' slow/program/params.sh
  local marker=$((4000 + RANDOM))  # a sleep no other test runs
  sed -i "s/sleep 1000/sleep $marker/" slow/harness/run.sh
  "$CAMBRIAN" run slow --run-dir runs/s --budget 50 --workers 2 >run.out 2>run.err &
  local pid=$!
  sleep 1.5
  local out
  out=$("$CAMBRIAN" run slow --run-dir runs/s --budget 5 2>&1) && fail "second controller ran"
  expect_contains "$("$CAMBRIAN" status --run-dir runs/s)" ": running" "status while running"
  expect_contains "$out" "another cambrian controller is running" "lock message"
  kill -INT "$pid"
  local waited=0
  while kill -0 "$pid" 2>/dev/null && [ $waited -lt 50 ]; do sleep 0.1; waited=$((waited + 1)); done
  kill -0 "$pid" 2>/dev/null && fail "controller still running 5 s after SIGINT"
  # 130 = 128 + SIGINT, as a shell reports it (issue 15: it was 0).
  local code=0
  wait "$pid" || code=$?
  [ "$code" = 130 ] || fail "interrupted run exited $code, not 130: $(tail -3 run.err)"
  expect_contains "$(cat run.out)" "Stopped: interrupted" "stop reason"
  expect_contains "$("$CAMBRIAN" status --run-dir runs/s)" "not running" "status after the run"
  [ "$(sqlite3 runs/s/cambrian.db "SELECT count(*) FROM candidates WHERE status = 'running'")" = 0 ] ||
    fail "candidates left running"
  [ "$(sqlite3 runs/s/cambrian.db "SELECT count(*) FROM events WHERE kind = 'run_stopped'")" = 1 ] ||
    fail "no run_stopped event"
  pgrep -f "sleep $marker" >/dev/null && fail "a job process survived the interrupt"
  out=$("$CAMBRIAN" run slow --run-dir runs/s --budget 5 2>&1) && fail "reused a run directory"
  expect_contains "$out" "already holds a run" "existing run message"
}

case_matmul_patch_builds() {
  "$CAMBRIAN" run matmul-cpu --run-dir runs/m --budget 6 --workers 2 --seed 3 \
    >run.out 2>run.err || fail "matmul run exited $?: $(tail -5 run.err)"
  local best
  best=$("$CAMBRIAN" leaderboard --json --run-dir runs/m | json 'data[0]["id"]')
  "$CAMBRIAN" show 1 --run-dir runs/m --json | json 'data["metrics"]["correct"]' | grep -qx 1.0 ||
    fail "the seed is not correct"
  "$CAMBRIAN" export "$best" --patch --run-dir runs/m >win.patch || fail "export"
  cp -r "$SRC/tasks/matmul-cpu/program" program
  (cd program && git apply "$WORK/win.patch") || fail "git apply on the matmul seed"
  # The patched seed builds and is judged correct, through the real stages.
  "$CAMBRIAN" eval matmul-cpu --program program --json >eval.json 2>eval.err ||
    fail "the patched program does not pass: $(tail -3 eval.err; cat eval.json)"
  json 'data["outcome"] == "ok" and data["metrics"]["correct"] == 1' <eval.json | grep -q True ||
    fail "cambrian eval of the patched program: $(cat eval.json)"
}

case_kill_and_resume() {
  # Hanging candidates (2 s timeout) keep jobs in flight when the controller dies.
  cp -r "$TASKS/faulty" task
  local marker=$((6000 + RANDOM))
  sed -i "s/sleep 1000/sleep $marker/" task/harness/run.sh
  local kills=0
  "$CAMBRIAN" run task --run-dir runs/k --budget 30 --workers 2 --seed 4 >run.out 2>&1 &
  local pid=$!
  sleep 2
  kill -9 "$pid" && kills=$((kills + 1))
  wait "$pid" 2>/dev/null
  local before
  before=$(sqlite3 runs/k/cambrian.db "SELECT count(*) FROM candidates WHERE status = 'done'")
  "$CAMBRIAN" run --run-dir runs/k --resume >resume.out 2>&1 || fail "resume exited $?: $(tail -3 resume.out)"
  expect_contains "$(cat resume.out)" "resuming:" "resume log"
  local db=runs/k/cambrian.db
  [ "$(sqlite3 $db "SELECT count(*) FROM candidates WHERE status = 'done'")" = 30 ] ||
    fail "the resumed run did not finish its budget of 30"
  [ "$(sqlite3 $db "SELECT count(DISTINCT program_hash) = count(*) FROM candidates")" = 1 ] ||
    fail "a program was evaluated twice"
  [ "$(sqlite3 $db 'PRAGMA integrity_check')" = ok ] || fail "database integrity"
  [ "$before" -le 30 ] || fail "more than the budget before the kill"
  [ -z "$(ls runs/k/jobs 2>/dev/null)" ] || fail "stale job directories left"
  # The hanging jobs of the killed controller were stopped by the resume.
  [ -z "$(pgrep -f "sleep $marker")" ] || fail "jobs of the killed controller still run"
  echo "kills: $kills, done before resume: $before"
}

# eval: the seed of a task, a program dir that replaces it, JSON, exit codes;
# a task without a judge is warned about; doctor tells what judges get.
case_eval_and_doctor() {
  "$CAMBRIAN" eval "$TASKS/quadratic" --json >seed.json 2>seed.err || fail "eval of the seed: $(cat seed.err)"
  json 'data["outcome"] == "ok" and len(data["stages"]) == 2' <seed.json | grep -q True ||
    fail "eval --json: $(cat seed.json)"
  expect_contains "$(cat seed.err)" "has no judge" "eval warns about a task without a judge"
  mkdir mine && printf 'X=13  # @knob range=0..20\nY=4  # @knob range=0..10\n' >mine/params.sh
  "$CAMBRIAN" eval "$TASKS/quadratic" --program mine --json >mine.json 2>/dev/null ||
    fail "eval of a program dir"
  json 'data["fitness"] == 0' <mine.json | grep -q True || fail "eval --program: $(cat mine.json)"
  echo 'exit 3' >mine/params.sh
  "$CAMBRIAN" eval "$TASKS/quadratic" --program mine >bad.out 2>&1
  [ $? -eq 3 ] || fail "a failing program must exit 3: $(cat bad.out)"
  expect_contains "$(cat bad.out)" "outcome" "eval prints the outcome"
  "$CAMBRIAN" doctor --json | json '"landlock_abi" in data and "cgroup_cpu" in data' | grep -q True ||
    fail "doctor --json lacks the judges' facts"
  expect_contains "$("$CAMBRIAN" doctor)" "worker CPU meter" "doctor's judge section"
}

case_sandbox_modes() {
  out=$("$CAMBRIAN" run "$TASKS/quadratic" --sandbox chroot --run-dir runs/x 2>&1) &&
    fail "an unknown sandbox mode ran"
  expect_contains "$out" "--sandbox" "bad --sandbox names the flag"
  "$CAMBRIAN" run "$TASKS/quadratic" --sandbox process --run-dir runs/p --budget 4 --seed 1 \
    >p.out 2>&1 || fail "process-mode run exited $?: $(tail -3 p.out)"
  expect_contains "$(cat p.out)" "WARNING: sandbox 'process'" "the run warns at start"
  expect_contains "$("$CAMBRIAN" show 1 --run-dir runs/p)" "without isolation" "show warns"
  expect_contains "$("$CAMBRIAN" status runs/p)" "without isolation" "status warns"
  "$CAMBRIAN" run "$TASKS/quadratic" --sandbox bwrap --run-dir runs/b --budget 4 --seed 1 \
    >b.out 2>&1 || fail "bwrap run exited $?: $(tail -3 b.out)"
  if "$CAMBRIAN" show 1 --run-dir runs/b | grep -q "without isolation"; then
    fail "a bwrap run warned of no isolation"
  fi
  [ "$("$CAMBRIAN" show --run --json --run-dir runs/b | json 'data["sandbox"]')" = "['bwrap']" ] ||
    fail "show --run does not name the sandbox used"
}

case_gpu_slots() {
  # A fake nvidia-smi reporting two GPUs; each job of a one-GPU task must see
  # exactly one, and no two jobs the same one at once.
  mkdir bin
  printf '#!/bin/sh\necho "GPU 0: Fake GPU (UUID: GPU-a)"\necho "GPU 1: Fake GPU (UUID: GPU-b)"\n' \
    >bin/nvidia-smi
  chmod +x bin/nvidia-smi
  cp -r "$TASKS/quadratic" task
  # The job reports its GPU and when it held it (its own clock: the
  # database's times are when results were recorded, not when jobs ran).
  cat >task/harness/gpu.sh <<'SH'
start=$(date +%s.%N)
sleep 0.3
end=$(date +%s.%N)
printf '{"metrics": {"gpu": %s, "t0": %s, "t1": %s}}\n' "${CUDA_VISIBLE_DEVICES:-99}" \
  "$start" "$end" >"$CAMBRIAN_OUT/metrics.json"
SH
  cat >>task/task.toml <<'TOML'

[[stages]]
name = "gpu"
run = "sh $CAMBRIAN_TRUSTED/gpu.sh"
timeout = "10s"

[resources]
gpus = 1
TOML
  PATH="$PWD/bin:$PATH" "$CAMBRIAN" run task --run-dir runs/g --budget 8 --workers 4 --seed 2 \
    >g.out 2>&1 || fail "GPU run exited $?: $(tail -3 g.out)"
  expect_contains "$(cat g.out)" "GPUs for 2 jobs at once: running 2 workers" "workers capped"
  local db=runs/g/cambrian.db
  [ "$(sqlite3 $db "SELECT count(*) FROM candidates WHERE json_extract(metrics, '\$.gpu') IN (0, 1)
       AND json_extract(metrics, '\$.t1') > json_extract(metrics, '\$.t0')")" = 8 ] ||
    fail "a job did not see exactly one GPU: $(sqlite3 $db 'SELECT id, metrics FROM candidates')"
  [ "$(sqlite3 $db "SELECT count(*) FROM candidates a JOIN candidates b ON a.id < b.id
       AND json_extract(a.metrics, '\$.gpu') = json_extract(b.metrics, '\$.gpu')
       AND json_extract(a.metrics, '\$.t0') < json_extract(b.metrics, '\$.t1')
       AND json_extract(b.metrics, '\$.t0') < json_extract(a.metrics, '\$.t1')")" = 0 ] ||
    fail "two jobs held one GPU at once"
  sed -i 's/^gpus = 1/gpus = 3/' task/task.toml
  out=$(PATH="$PWD/bin:$PATH" "$CAMBRIAN" run task --run-dir runs/g3 --budget 2 2>&1) &&
    fail "a task needing 3 GPUs ran on 2"
  expect_contains "$out" "needs 3 GPU(s) per job and this machine has 2" "too few GPUs"
  [ ! -e runs/g3 ] || fail "a refused run left its run directory behind"
  # A CUDA task on a machine without GPUs (a fake nvidia-smi listing none).
  printf '#!/bin/sh
exit 0
' >bin/nvidia-smi
  out=$(PATH="$PWD/bin:$PATH" "$CAMBRIAN" run sgemm-cuda --run-dir runs/cuda --budget 2 2>&1) &&
    fail "a CUDA task ran without a GPU"
  expect_contains "$out" "task 'sgemm-cuda' needs 1 GPU(s) per job and this machine has 0" \
    "CUDA task refused"
  [ ! -e runs/cuda ] || fail "the refused CUDA run left its run directory behind"
}

case_llm_edit_improves() {
  start_llm_server
  write_llm_config
  # A copy of the task whose trusted scorer also prints the job's environment,
  # so the stored output would show a leaked key.
  cp -r "$TASKS/quadratic" task && echo 'env' >>task/harness/score.sh
  export CAMBRIAN_TEST_KEY=sk-e2e-secret-7f3a9
  "$CAMBRIAN" run task --run-dir runs/l --config llm.toml --budget 3 --workers 1 \
    >run.out 2>run.err || fail "llm run exited $?: $(tail -5 run.err)"
  local board best
  board=$("$CAMBRIAN" leaderboard --json --run-dir runs/l)
  best=$(json 'data[0]["id"]' <<<"$board")
  [ "$(json 'data[0]["mutator"]' <<<"$board")" = llm ] || fail "the best is not an LLM child"
  [ "$(json 'data[0]["fitness"]' <<<"$board")" = 0.0 ] || fail "LLM edits did not reach the optimum"
  local shown
  shown=$("$CAMBRIAN" show "$best" --run-dir runs/l)
  expect_contains "$shown" "llm call" "show's LLM call line"
  expect_contains "$shown" "openai:fake-model" "show's model"
  "$CAMBRIAN" status --run-dir runs/l --json | json 'data["llm"]["calls"] >= 2' | grep -q True ||
    fail "status does not count the LLM calls"
  "$CAMBRIAN" show "$best" --run-dir runs/l --json |
    json 'data["llm_call"]["input_tokens"] > 0 and data["llm_call"]["cost_usd"] > 0' |
    grep -q True || fail "tokens and cost in show --json"
  expect_contains "$("$CAMBRIAN" diff "$best" --run-dir runs/l --against seed)" "+Y=4" "diff"
  # The key went to the server, in the Authorization header only ...
  grep -q '"Authorization": "Bearer sk-e2e-secret-7f3a9"' server.log || fail "key not sent"
  # ... and nowhere else: database, logs, exports, job output.
  "$CAMBRIAN" export "$best" --patch --run-dir runs/l >win.patch
  "$CAMBRIAN" export "$best" --out exported --run-dir runs/l 2>/dev/null
  sqlite3 runs/l/cambrian.db .dump >dump.sql
  if grep -rl "sk-e2e-secret-7f3a9" runs run.out run.err win.patch exported dump.sql; then
    fail "the API key leaked into the files above"
  fi
  grep -q "CAMBRIAN_SEED" dump.sql || fail "the job environment was not captured (test is blind)"
}

case_llm_max_cost() {
  start_llm_server --delay 0.3 --step
  # Each call may cost up to (prompt + 1000 output tokens) at $100/$200 per
  # million: about $0.25 worst case, so $1 fits a handful, counting those in flight.
  write_llm_config 4 100 200 1000
  export CAMBRIAN_TEST_KEY=sk-e2e-secret-cost
  cp -r "$TASKS/quadratic" task && sed -i 's/range=0..20/range=0..1000/' task/program/params.sh
  "$CAMBRIAN" run task --run-dir runs/c --config llm.toml --max-cost 1 --budget 100 \
    --workers 2 >run.out 2>run.err || fail "run exited $?: $(tail -5 run.err)"
  expect_contains "$(cat run.out)" "cost cap" "stop reason"
  local spent
  spent=$(sqlite3 runs/c/cambrian.db "SELECT sum(cost_usd) FROM llm_calls")
  python3 -c "import sys; sys.exit(0 if 0 < $spent <= 1.0 else 1)" || fail "spent \$$spent"
}

case_llm_replay() {
  start_llm_server
  write_llm_config 1
  export CAMBRIAN_TEST_KEY=sk-e2e-secret-replay
  "$CAMBRIAN" run "$TASKS/quadratic" --run-dir runs/r1 --config llm.toml --budget 3 --workers 1 \
    --seed 5 >run.out 2>run.err || fail "recorded run exited $?"
  kill "$SERVER_PID"
  local requests
  requests=$(wc -l <server.log)
  "$CAMBRIAN" run "$TASKS/quadratic" --run-dir runs/r2 --llm replay --replay-from runs/r1 \
    --weight llm=1 --weight knob=0 --budget 3 --workers 1 --seed 5 >replay.out 2>replay.err ||
    fail "replay run exited $?: $(tail -5 replay.err)"
  [ "$(wc -l <server.log)" = "$requests" ] || fail "the replay sent requests"
  [ "$("$CAMBRIAN" leaderboard --json --run-dir runs/r2 | json 'data[0]["fitness"]')" = 0.0 ] ||
    fail "the replayed run did not reproduce the recorded result"
}

# llm_failure_case NAME SERVER-ARGS...: every call fails the same way; the run
# goes on with knob children and each failed call is stored with its outcome.
llm_failure_case() {
  local name=$1
  shift
  rm -f port server.log
  start_llm_server "$@"
  write_llm_config 1
  sed -i 's/knob = 0.0/knob = 1.0/' llm.toml
  "$CAMBRIAN" run "$TASKS/quadratic" --run-dir "runs/$name" --config llm.toml --budget 8 \
    --workers 1 >run.out 2>run.err || fail "$name: run exited $?: $(tail -3 run.err)"
  [ "$(sqlite3 "runs/$name/cambrian.db" "SELECT count(*) FROM candidates WHERE status = 'done'")" = 8 ] ||
    fail "$name: the run did not reach its budget"
  sqlite3 "runs/$name/cambrian.db" "SELECT DISTINCT outcome FROM llm_calls" >"$name.outcomes"
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null
}

# A model slower than the jobs still makes its share of the children
# (issue 14): without the share, the instant knob mutator took every slot.
case_llm_slow_share() {
  start_llm_server --delay 0.6 --step --unique
  write_llm_config 2
  sed -i 's/knob = 0.0/knob = 1.0/' llm.toml
  export CAMBRIAN_TEST_KEY=sk-e2e-share
  "$CAMBRIAN" run "$TASKS/quadratic" --run-dir runs/share --config llm.toml --budget 13 \
    --workers 2 >run.out 2>run.err || fail "run exited $?: $(tail -3 run.err)"
  local llm children
  llm=$(sqlite3 runs/share/cambrian.db "SELECT count(*) FROM candidates WHERE mutator = 'llm'")
  children=$(sqlite3 runs/share/cambrian.db "SELECT count(*) FROM candidates WHERE mutator != 'seed'")
  # Target 0.8 of 12: the knob takes a slot only while the LLM is at its share.
  [ "$llm" -ge 9 ] || fail "the LLM made $llm of $children children (target 80%)"
  expect_contains "$(cat run.out)" "of $children children (target 80%)" "the summary's share"
  expect_contains "$(cat run.out)" "LLM: " "the summary's LLM line"
  "$CAMBRIAN" status --run-dir runs/share --json |
    json "data['llm']['llm_children'] == $llm and data['llm']['share_target'] == 0.8 and data['llm']['outcomes']['ok'] >= $llm and 'not_novel' in data['proposals']" |
    grep -q True || fail "status does not show the share and the outcomes"
  expect_contains "$("$CAMBRIAN" status --run-dir runs/share)" "not novel" "status's skipped proposals"
}

# Stopping does not wait for requests in flight: they are cancelled at once
# and recorded (issue 14).
case_llm_stop_cancels() {
  start_llm_server --delay 100
  write_llm_config 2
  sed -i 's/knob = 0.0/knob = 1.0/' llm.toml
  export CAMBRIAN_TEST_KEY=sk-e2e-stop
  local start end
  start=$(date +%s)
  # Share 0: the knob fills every slot while two LLM requests hang.
  "$CAMBRIAN" run "$TASKS/quadratic" --run-dir runs/stop --config llm.toml --budget 6 \
    --workers 2 --llm-share 0 >run.out 2>run.err || fail "run exited $?: $(tail -3 run.err)"
  end=$(date +%s)
  [ $((end - start)) -lt 40 ] || fail "the run waited $((end - start))s for hanging requests"
  [ "$(sqlite3 runs/stop/cambrian.db "SELECT count(*) FROM llm_calls WHERE outcome = 'cancelled'")" -ge 1 ] ||
    fail "no cancelled call recorded: $(sqlite3 runs/stop/cambrian.db 'SELECT outcome FROM llm_calls')"
  expect_contains "$(cat run.out)" "cancelled" "the summary counts cancelled calls"
}

# A resumed run reaches its models where they are served now (a local
# server restarted on another port).
case_llm_resume_new_server() {
  start_llm_server --step --unique
  write_llm_config 1
  export CAMBRIAN_TEST_KEY=sk-e2e-resume
  "$CAMBRIAN" run "$TASKS/quadratic" --run-dir runs/r --config llm.toml --budget 3 --workers 1 \
    >run.out 2>run.err || fail "run exited $?: $(tail -3 run.err)"
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null
  mkdir second && cd second
  start_llm_server --step --unique
  cd ..
  "$CAMBRIAN" resume runs/r --budget 6 --llm-base-url "http://127.0.0.1:$PORT/v1" \
    >resume.out 2>resume.err || fail "resume exited $?: $(tail -3 resume.err)"
  [ -s second/server.log ] || fail "the resumed run did not call the new server: $(tail -3 resume.err)"
  [ "$(sqlite3 runs/r/cambrian.db "SELECT count(*) FROM candidates WHERE mutator = 'llm' AND status = 'done'")" -ge 4 ] ||
    fail "the resumed run made no LLM children"
  [ "$(sqlite3 runs/r/cambrian.db "SELECT count(*) FROM llm_calls WHERE outcome = 'http_error'")" = 0 ] ||
    fail "calls went to the old server"
}

# With an /embeddings server, the novelty threshold compares embeddings, not
# text (issue 14). The fake server embeds letters only, so children that
# change only a number are new by text and "not novel" by embeddings.
case_llm_embeddings_novelty() {
  start_llm_server --step --unique
  write_llm_config 1
  sed -i 's/knob = 0.0/knob = 1.0/' llm.toml
  export CAMBRIAN_TEST_KEY=sk-e2e-embed
  "$CAMBRIAN" run "$TASKS/quadratic" --run-dir runs/text --config llm.toml --budget 5 \
    --workers 1 --llm-novelty 0.99 >text.out 2>text.err || fail "run exited $?: $(tail -3 text.err)"
  local by_text by_embedding asked
  by_text=$(sqlite3 runs/text/cambrian.db "SELECT count(*) FROM candidates WHERE mutator = 'llm'")
  [ "$by_text" -ge 2 ] || fail "by text, only $by_text LLM children were new"
  local start=$SECONDS
  "$CAMBRIAN" run "$TASKS/quadratic" --run-dir runs/embed --config llm.toml --budget 5 \
    --workers 1 --llm-novelty 0.99 --llm-embeddings "http://127.0.0.1:$PORT/v1" \
    --llm-embeddings-model fake-embed >embed.out 2>embed.err ||
    fail "run exited $?: $(tail -3 embed.err)"
  # A model whose every reply misses does not keep the slot idle through
  # its growing pauses (it took 92 s; the offline mutator fills the slot).
  [ $((SECONDS - start)) -lt 40 ] || fail "the run took $((SECONDS - start)) s"
  by_embedding=$(sqlite3 runs/embed/cambrian.db "SELECT count(*) FROM candidates WHERE mutator = 'llm'")
  [ "$by_embedding" = 0 ] || fail "by embeddings, $by_embedding LLM children passed as new"
  asked=$(grep -c '"path": "/v1/embeddings"' server.log || true)
  [ "$asked" -ge 2 ] || fail "the embeddings server was asked $asked times"
  grep -q '"model": "fake-embed"' server.log || fail "the embeddings model was not named"
  expect_contains "$(cat embed.err)" "compared by embeddings" "the log says embeddings are used"
  "$CAMBRIAN" status --run-dir runs/embed --json | json "data['proposals']['not_novel'] >= 1" |
    grep -q True || fail "status does not count the skipped children"
  if grep -rl "sk-e2e-embed" runs; then fail "the key leaked"; fi
}

# Notifications (issue 15): a webhook and a command hear of new bests, an
# error storm and the end; one that cannot be reached only warns.
case_notify() {
  start_llm_server  # logs every POST, so it doubles as the webhook receiver
  "$CAMBRIAN" run "$TASKS/quadratic" --run-dir runs/n --budget 10 \
    --notify "http://127.0.0.1:$PORT/hook/secret-token" \
    --notify-cmd 'cat >> notes.jsonl; echo >> notes.jsonl' >run.out 2>run.err ||
    fail "run exited $?: $(tail -3 run.err)"
  python3 - server.log notes.jsonl <<'PY' || fail "the notices: $(cat server.log notes.jsonl)"
import json, sys
hook = [json.loads(l)["body"] for l in open(sys.argv[1]) if '"/hook/' in l]
cmd = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
for notices in (hook, cmd):
    events = [n["event"] for n in notices]
    end = notices[-1]
    assert events[-1] == "run_end", events
    # A best that is not the seed was announced (children race the seed).
    assert ("new_best" in events) == (end["best"]["candidate"] != 1), (events, end)
    assert end["evaluated"] == 10 and end["best"]["candidate"] >= 1, end
    assert end["text"].startswith("cambrian quadratic: run ended"), end
PY
  if grep -q "secret-token" run.err runs/n/cambrian.db; then fail "the webhook URL's token leaked"; fi
  cp -r "$TASKS/quadratic" typo && sed -i 's/^score = .*/score = "yy"/' typo/task.toml
  "$CAMBRIAN" run typo --run-dir runs/storm --budget 24 --seed-may-fail \
    --notify "http://127.0.0.1:$PORT/hook/x" >storm.out 2>storm.err || fail "storm run exited $?"
  grep -q '"event": "error_storm"' server.log || fail "no error_storm notice"
  "$CAMBRIAN" run "$TASKS/quadratic" --run-dir runs/dead --budget 3 \
    --notify http://127.0.0.1:1/hook >dead.out 2>dead.err || fail "an unreachable webhook stopped the run"
  expect_contains "$(cat dead.err)" "could not notify webhook http://127.0.0.1:1/..." "the warning"
}

case_llm_failures_recorded() {
  export CAMBRIAN_TEST_KEY=sk-e2e-secret-fail
  # Not in $(...): the server's EXIT trap must stay in this shell.
  llm_failure_case s500 --status 500
  expect_contains "$(cat s500.outcomes)" "http_error" "500s"
  llm_failure_case malformed --body '{"choices": ['
  expect_contains "$(cat malformed.outcomes)" "malformed" "bad JSON"
  llm_failure_case empty --body '{"choices": [{"message": {"content": ""}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 5, "completion_tokens": 0}}'
  expect_contains "$(cat empty.outcomes)" "empty" "empty reply"
  llm_failure_case s401 --status 401
  expect_contains "$(cat s401.outcomes)" "http_error" "401"
  [ "$(sqlite3 runs/s401/cambrian.db "SELECT count(*) FROM llm_calls WHERE error LIKE '%401%'")" != 0 ] ||
    fail "the 401 is not in the stored error"
  if grep -rl "sk-e2e-secret-fail" runs; then fail "the key leaked"; fi
}

case_llm_bad_prompts() {
  cp -r "$SRC/prompts" myprompts && echo "{{no_such_placeholder}}" >>myprompts/diff.txt
  local out
  out=$("$CAMBRIAN" run "$TASKS/quadratic" --run-dir runs/p --llm openai:m --llm-key-env '' \
    --llm-base-url http://127.0.0.1:9/v1 --prompts myprompts --budget 2 2>&1) &&
    fail "a bad template ran"
  expect_contains "$out" "diff.txt" "file named"
  expect_contains "$out" "no_such_placeholder" "placeholder named"
}

"case_$CASE" || exit 1
echo "PASS [$CASE]"
