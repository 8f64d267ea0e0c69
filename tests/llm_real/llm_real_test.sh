#!/usr/bin/env bash
# llm-real: a short search against a real model server (llama.cpp's server
# running SmolLM2-135M-Instruct on one thread, built and fetched by
# scripts/local_llm.sh), then a Ctrl-C while a request is out. Asserts every
# call is recorded with an outcome, every applied edit that became a child
# was evaluated, and nothing waits for the model at a stop.
#
#   llm_real_test.sh CAMBRIAN SOURCE_DIR
set -euo pipefail
CAMBRIAN=$1
SRC=$2
WORK=$(mktemp -d /tmp/cambrian-llm-real.XXXXXX)
SERVER_PID=
cleanup() {
  [ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"
fail() {
  echo "FAIL [llm-real]: $*" >&2
  [ ! -f run.err ] || tail -20 run.err >&2
  exit 1
}

SERVER_PID=$("$SRC/scripts/local_llm.sh" start port) || fail "the local model server did not start"
PORT=$(cat port)
# No --llm-concurrency: the server's one slot is read from it.
MODEL=(--llm openai:smollm2 --llm-base-url "http://127.0.0.1:$PORT/v1" --llm-key-env ''
  --llm-timeout 120s)
KNOWN="'ok','rejected','cached','budget','http_error','timeout','malformed','refused','empty','cancelled'"
db() { sqlite3 "runs/$1/cambrian.db" "$2"; }

# 1. A search to its budget or its 90 s, whichever comes first: half the
# children from the model, replies of at most 384 tokens (~6 s each here).
start=$(date +%s)
"$CAMBRIAN" run "$SRC/tests/data/tasks/quadratic" --run-dir runs/a --budget 6 --time 90s \
  --workers 1 --seed 3 --llm-share 0.5 --llm-max-tokens 384 "${MODEL[@]}" >run.out 2>run.err ||
  fail "the run exited $?"
end=$(date +%s)
# The time limit stops dispatching; a request still out is cancelled, not awaited.
[ $((end - start)) -le 105 ] || fail "the run took $((end - start)) s against a 90 s limit"
grep -q "llama.cpp at http://127.0.0.1:$PORT/v1 for smollm2: 1 slot(s), 8192-token context" run.err ||
  fail "the server's limits were not read: $(grep -i llama run.err)"
grep -q "replies constrained to an edit that applies (grammar)" run.err ||
  fail "the edit grammar was not turned on for llama.cpp"
calls=$(db a "SELECT count(*) FROM llm_calls")
[ "$calls" -ge 1 ] || fail "no LLM call was made"
[ "$(db a "SELECT count(*) FROM llm_calls WHERE outcome NOT IN ($KNOWN) OR outcome = ''")" = 0 ] ||
  fail "calls without a known outcome: $(db a 'SELECT DISTINCT outcome FROM llm_calls')"
[ "$(db a "SELECT count(*) FROM candidates WHERE llm_call_id IS NOT NULL AND status != 'done'")" = 0 ] ||
  fail "an LLM child was not evaluated"
ok=$(db a "SELECT count(*) FROM llm_calls WHERE outcome = 'ok'")
linked=$(db a "SELECT count(DISTINCT llm_call_id) FROM candidates WHERE llm_call_id IS NOT NULL")
unevaluated=$("$CAMBRIAN" status --run-dir runs/a --json |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["llm"]["unevaluated"])')
[ $((ok - linked)) = "$unevaluated" ] ||
  fail "$ok applied edits, $linked evaluated, but status says $unevaluated never evaluated"
grep -q "^LLM: $calls calls\?: " run.out || fail "the summary does not count the calls: $(grep LLM run.out)"
# Under the grammar a 135M model's edits apply (36 of 38 measured; without
# it 0 of 5): two answered calls with none applied means the grammar failed.
answered=$(db a "SELECT count(*) FROM llm_calls WHERE outcome IN ('ok', 'rejected')")
[ "$answered" -lt 2 ] || [ "$ok" -ge 1 ] ||
  fail "$answered answers, none applied: $(db a "SELECT error FROM llm_calls WHERE outcome = 'rejected' LIMIT 2")"
echo "run a: $calls calls, $ok applied, $linked evaluated children, $((end - start)) s wall"
grep '^Stopped: ' run.out

# 2. Ctrl-C while a request is out: the controller exits at once.
"$CAMBRIAN" run "$SRC/tests/data/tasks/quadratic" --run-dir runs/b --budget 200 --workers 1 \
  --seed 4 --llm-share 1 --llm-max-tokens 384 "${MODEL[@]}" >run.out 2>run.err &
run=$!
for _ in $(seq 300); do
  [ -s runs/b/cambrian.db ] && [ "$(db b "SELECT count(*) FROM llm_calls" 2>/dev/null || echo 0)" -ge 1 ] && break
  sleep 0.2
done
sleep 1  # the next request is out by now (one slot, share 1)
kill -INT "$run"
t0=$(date +%s%N)
wait "$run" && status=0 || status=$?
t1=$(date +%s%N)
waited_ms=$(((t1 - t0) / 1000000))
[ "$waited_ms" -lt 5000 ] || fail "Ctrl-C took ${waited_ms} ms to stop the run"
[ "$(db b "SELECT count(*) FROM llm_calls WHERE outcome NOT IN ($KNOWN)")" = 0 ] ||
  fail "calls without a known outcome after Ctrl-C"
[ "$(db b "SELECT count(*) FROM candidates WHERE status = 'running'")" = 0 ] ||
  fail "a candidate is left running after Ctrl-C"
echo "run b: Ctrl-C stopped it in ${waited_ms} ms (exit $status), $(db b 'SELECT count(*) FROM llm_calls') calls recorded"
echo "PASS"
