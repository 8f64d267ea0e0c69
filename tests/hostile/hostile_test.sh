#!/usr/bin/env bash
# The hostile suite, end to end: every case of tests/hostile/task/harness/cases
# is the seed of a real `cambrian run` (budget 2 and --seed-may-fail, so the run must go on past
# it). Prints a table (case, expected, observed) and fails if a row differs.
#   hostile_test.sh CAMBRIAN_BINARY SOURCE_DIR
# The sandbox is `--sandbox bwrap` when the binary has that flag (or
# HOSTILE_SANDBOX=bwrap|process), else whatever `cambrian run` builds, which
# is checked against the process mode's expectations.
set -uo pipefail

CAMBRIAN=$(realpath "$1")
SRC=$(realpath "$2")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cambrian-hostile.XXXXXX")
chmod 755 "$WORK"  # the sandbox uid walks down to its job directories
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK" || exit 1

# The help is read whole first: `grep -q` in a pipe stops reading at its
# match, and under pipefail the SIGPIPE of a longer help made it "no flag".
RUN_HELP=$("$CAMBRIAN" run --help 2>&1)
MODE=${HOSTILE_SANDBOX:-}
if [ -z "$MODE" ]; then
  if grep -q -- "--sandbox" <<<"$RUN_HELP"; then MODE=bwrap; else MODE=process; fi
fi
SANDBOX_FLAGS=()
if grep -q -- "--sandbox" <<<"$RUN_HELP"; then SANDBOX_FLAGS=(--sandbox "$MODE"); fi
if [ "$MODE" = bwrap ] && ! "$CAMBRIAN" doctor --json | python3 -c \
  'import json,sys; sys.exit(0 if json.load(sys.stdin)["modes"][0]["works"] else 1)'; then
  echo "SKIP: bubblewrap does not work here (see cambrian doctor)"
  exit 0
fi

# What the controller holds and a job must never see.
export OPENAI_API_KEY=sk-cambrian-hostile-canary
# A server on the host's loopback, greeting whoever connects.
python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept(); c.sendall(b"hello\n"); c.close()
' >port.txt &
SERVER_PID=$!
for _ in $(seq 50); do [ -s port.txt ] && break; sleep 0.1; done
PORT=$(cat port.txt)

# case|expected under bwrap|expected under process (a|b: either)
CASES="
fork_bomb|process_limit|process_limit
infinite_loop|timeout|timeout
sleep_forever|timeout|timeout
memory_hog|memory_limit|memory_limit
daemonize|ok contained|ok contained
output_flood|output_limit|output_limit
disk_fill|disk_limit|disk_limit
network|ok contained|ok BREACH
env_key|ok contained|ok contained
parent_environ|ok contained|ok BREACH
controller_files|ok contained|ok BREACH
home_files|ok contained|ok BREACH|ok contained
write_outside|ok contained|ok BREACH wrote outside
tamper_trusted|ok contained|tampered
kill_controller|controller survived|skip
raise_rlimits|ok contained|ok BREACH|ok contained
deep_path_fill|disk_limit|disk_limit
unreadable_dir_fill|disk_limit|disk_limit
inode_flood|inode_limit|inode_limit
userns|ok contained|ok BREACH
tmp_write|ok contained|ok BREACH|ok contained
cpus|ok contained|ok contained
mountinfo|ok BREACH|ok contained|ok BREACH
"

tree_hash() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum); }

# observe CASE MARKER: runs the case and prints what happened.
observe() {
  local case=$1 marker=$2 dir=$WORK/$1
  cp -r "$SRC/tests/hostile/task" "$dir"
  sed -i -e "s/^MODE=ok/MODE=$case/" -e "s/^HOSTILE_PORT=.*/HOSTILE_PORT=$PORT/" \
    -e "s/^HOSTILE_MARKER=.*/HOSTILE_MARKER=$marker/" "$dir/program/params.sh"
  local before
  before=$(tree_hash "$dir/harness")
  timeout 120 "$CAMBRIAN" run "$dir" --run-dir "$WORK/runs/$case" --budget 2 --workers 1 --seed-may-fail \
    --seed 1 "${SANDBOX_FLAGS[@]}" >"$WORK/$case.out" 2>"$WORK/$case.err"
  local rc=$? seen
  seen=$("$CAMBRIAN" leaderboard --all --json --top 0 --run-dir "$WORK/runs/$case" 2>/dev/null |
    python3 -c '
import json, sys
seed = [c for c in json.load(sys.stdin) if c["id"] == 1]
if not seed: print("not recorded"); sys.exit()
c = seed[0]
breach = c["metrics"].get("breach", 0) == 1
print(c["outcome"] + ((" BREACH" if breach else " contained") if c["outcome"] == "ok" else ""))')
  pgrep -x -f "sleep $marker" >/dev/null && seen="$seen daemon survived" &&
    pkill -x -f "sleep $marker"
  if [ -e "$WORK/runs/$case/jobs/outside-$marker" ] || [ -e "/tmp/cambrian-hostile-$marker" ]; then
    case "$seen" in *BREACH*) ;; *) seen="${seen/contained/BREACH}" ;; esac
    seen="$seen wrote outside"
    rm -f "/tmp/cambrian-hostile-$marker"
  fi
  # The fill cases' directories (deeper than PATH_MAX, or mode 000) must be
  # gone with the run's job directories.
  python3 -c '
import os, sys
for _, dirs, files, _ in os.fwalk(sys.argv[1]):
    if any(n.startswith("hostile-fill") for n in dirs + files): sys.exit(1)
' "$WORK/runs/$case" || seen="$seen left on host"
  [ "$(tree_hash "$dir/harness")" != "$before" ] && [ "$seen" != tampered ] &&
    seen="$seen trusted changed"
  # Whatever the job did to itself (killing its own group is fine), the
  # controller must live on to the end of its budget.
  if [ "$case" = kill_controller ]; then
    [ $rc -eq 0 ] && grep -q "evaluation budget of 2 reached" "$WORK/$case.out" &&
      echo "controller survived" || echo "controller killed (rc $rc)"
    return
  fi
  # The run must go on to its budget, except after tampering in process mode
  # (nothing can be trusted then, so the run stops with an error).
  if [ $rc -ne 0 ] && [ "$seen" != tampered ]; then seen="$seen (run failed: rc $rc)"; fi
  echo "$seen"
}

failed=0
printf '\nhostile suite (cambrian run, sandbox %s)\n%-20s %-28s %s\n' "$MODE" case expected observed
n=0
while IFS='|' read -r case bwrap process alternative; do
  [ -z "$case" ] && continue
  n=$((n + 1))
  expected=$bwrap
  [ "$MODE" = process ] && expected=$process
  if [ "$expected" = skip ]; then
    printf '%-20s %-28s %s\n' "$case" "skipped" "(would kill the controller without isolation)"
    continue
  fi
  observed=$(observe "$case" $((700000 + $$ % 50000 + n)))
  mark=""
  if [ "$observed" != "$expected" ] && { [ "$MODE" = bwrap ] || [ "$observed" != "$alternative" ]; }; then
    mark="  <-- MISMATCH"
    failed=1
  fi
  shown=$expected
  [ "$MODE" = process ] && [ -n "$alternative" ] && shown="$expected|$alternative"
  printf '%-20s %-28s %s%s\n' "$case" "$shown" "$observed" "$mark"
done <<<"$CASES"
[ $failed -eq 0 ] || echo "FAIL: some hostile candidates were not contained as expected" >&2
exit $failed
