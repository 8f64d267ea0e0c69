# Shared by the Slurm executor's tests: sourced after setting NAME (the
# test's name in messages), CAMBRIAN and SRC. Starts a loopback cluster of
# three one-CPU nodes in a fresh WORK directory (stopped at exit, with any
# controller left in RUN_PID), cds there, and copies the quadratic test task
# to ./task with a score stage that sleeps $SLOW seconds, so that jobs are
# in flight when a controller, worker or node is killed.
[ "$(id -u)" = 0 ] || { echo "SKIP [$NAME]: slurmd needs root"; exit 77; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cambrian-slurm-test.XXXXXX")
CLUSTER="$SRC/tests/slurm/cluster.sh"
RUN_PID=
trap '[ -z "$RUN_PID" ] || kill -9 "$RUN_PID" 2>/dev/null; scancel --me 2>/dev/null; "$CLUSTER" stop "$WORK/cluster"; rm -rf "$WORK"' EXIT

fail() {
  echo "FAIL [$NAME]: $*" >&2
  squeue --states=all -o "%i %j %T %N %R" >&2 || true
  for f in "$WORK"/*.err; do [ -f "$f" ] && { echo "--- $f" >&2; tail -15 "$f" >&2; }; done
  exit 1
}

db() { sqlite3 "runs/$1/cambrian.db" "$2"; }

wait_for() {  # SECONDS COMMAND...: until COMMAND succeeds (run again each time)
  local limit=$1
  shift
  for _ in $(seq $((limit * 5))); do
    "$@" && return 0
    sleep 0.2
  done
  return 1
}

# SIGKILLs the controller started in the background as RUN_PID.
kill_controller() {
  kill -9 "$RUN_PID"
  wait "$RUN_PID" 2>/dev/null
  RUN_PID=
}

eval "$("$CLUSTER" start "$WORK/cluster" 3 1)" || fail "the cluster did not start"
cd "$WORK" || exit 1
cp -r "$SRC/tests/data/tasks/quadratic" task
sed -i "s|^run = \"sh \\\$CAMBRIAN_TRUSTED/score.sh\"|run = \"sleep $SLOW; sh \$CAMBRIAN_TRUSTED/score.sh\"|" task/task.toml
grep -q "sleep $SLOW" task/task.toml || fail "could not slow the task down"
printf '\n[resources]\nmemory = "1GiB"\n' >>task/task.toml
