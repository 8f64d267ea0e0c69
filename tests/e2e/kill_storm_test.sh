#!/usr/bin/env bash
# Fault injection: SIGKILL the controller at random moments of one run, at
# least KILLS times, resuming after each kill, then check that nothing
# recorded was lost or doubled and nothing was left behind.
#   kill_storm_test.sh CAMBRIAN_BINARY SOURCE_DIR [KILLS] [BUDGET] [SEED] [SANDBOX]
set -uo pipefail

CAMBRIAN=$1
SRC=$2
KILLS=${3:-20}
BUDGET=${4:-120}
RANDOM=${5:-$$}
SANDBOX=${6:-auto}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cambrian-kill-storm.XXXXXX")
MARKER="cambrian_storm_sleep_$$"
cleanup() {
  pkill -9 -f "$MARKER" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK" || exit 1

fail() {
  echo "FAIL [kill_storm]: $*" >&2
  exit 1
}

# The quadratic task, with jobs of 0.1 to 0.9 s and one program in nine
# sleeping 4 s, so that kills find jobs running and leftovers would live on.
# The sleeps run a copy of sleep(1) with a unique name, to find strays.
cp -r "$SRC/tests/data/tasks/quadratic" task
cp "$(command -v sleep)" "task/harness/$MARKER"
cat >task/harness/score.sh <<SH
set -eu
values=\$(sh -c '. ./params.sh; echo "\$X \$Y"')
set -- \$values
case "\$1\$2" in *[!0-9]*) valid=0; pause=1 ;; *) valid=1; pause=\$(( (\$1 * 7 + \$2 * 3) % 9 )) ;; esac
if [ "\$pause" = 0 ]; then pause=40; fi
"\$CAMBRIAN_TRUSTED/$MARKER" "\$(( pause / 10 )).\$(( pause % 10 ))"
printf '{"metrics": {"x": %s, "y": %s, "valid": %s}}\n' "\${1:-0}" "\${2:-0}" "\$valid" > "\$CAMBRIAN_OUT/metrics.json"
SH

DB=runs/storm/cambrian.db
sql() { sqlite3 "$DB" "$1"; }

# Processes of an earlier controller's jobs: a marker sleep whose job
# directory the resumed controller has already removed.
orphans() {
  local pid cwd found=""
  for pid in $(pgrep -f "$MARKER"); do
    cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) || continue
    case "$cwd" in *"(deleted)"*) found="$found $pid:$cwd" ;; esac
  done
  echo "$found"
}

start() {
  if [ -f "$DB" ]; then
    "$CAMBRIAN" resume runs/storm >>storm.log 2>&1 &
  else
    "$CAMBRIAN" run task --run-dir runs/storm --budget "$BUDGET" --workers 2 --seed 3 \
      --sandbox "$SANDBOX" \
      >>storm.log 2>&1 &
  fi
  PID=$!
}

resumes() { cat storm.log 2>/dev/null | grep -c "resuming:"; }

kills=0
snapshots=0
checked=0
while [ "$kills" -lt "$KILLS" ]; do
  before=$(resumes)
  start
  # A random moment: from start-up (opening the database, restoring the
  # islands, re-running what was in flight) to well into the search.
  sleep "$((RANDOM % 2)).$((RANDOM % 10))$((RANDOM % 10))"
  if ! kill -0 "$PID" 2>/dev/null; then
    wait "$PID" || fail "a session exited $? on its own: $(tail -5 storm.log)"
    fail "the run finished its budget after only $kills kills; raise BUDGET"
  fi
  # Once a session has restored the run it has stopped the jobs that the
  # killed one left behind (earlier, the kill may still be that early).
  if [ "$(resumes)" -gt "$before" ]; then
    left=$(orphans)
    [ -z "$left" ] || fail "after kill $kills, jobs of a killed controller still run:$left"
    checked=$((checked + 1))
  fi
  kill -9 "$PID"
  wait "$PID" 2>/dev/null
  kills=$((kills + 1))
  if [ -f "$DB" ]; then
    # Every finished evaluation so far, which must survive every later kill.
    sql "SELECT id, program_hash, fitness FROM candidates WHERE status = 'done'" \
      >"done.$kills"
    snapshots=$((snapshots + 1))
  fi
done

start
wait "$PID" || fail "the final session exited $?: $(tail -5 storm.log)"

[ "$(sql 'PRAGMA integrity_check')" = ok ] || fail "database integrity"
done_count=$(sql "SELECT count(*) FROM candidates WHERE status = 'done'")
[ "$done_count" = "$BUDGET" ] || fail "$done_count evaluations done, budget $BUDGET"
[ "$(sql "SELECT count(*) FROM candidates WHERE status != 'done'")" = 0 ] ||
  fail "candidates left unfinished"
[ "$(sql 'SELECT count(DISTINCT program_hash) = count(*) FROM candidates')" = 1 ] ||
  fail "a program was evaluated twice"
[ "$(sql 'SELECT max(id) = count(*) FROM candidates')" = 1 ] || fail "candidate ids have gaps"
[ "$(sql "SELECT json_extract(state, '\$.evaluated') FROM run_state")" = "$BUDGET" ] ||
  fail "the stored counter disagrees with the candidates"
[ "$(sql 'SELECT count(*) FROM evaluations WHERE candidate_id NOT IN
          (SELECT id FROM candidates WHERE status = "done")')" = 0 ] ||
  fail "stage records of unfinished candidates"
sql "SELECT id, program_hash, fitness FROM candidates WHERE status = 'done'" >done.final
for snapshot in done.*; do
  missing=$(comm -23 <(sort "$snapshot") <(sort done.final))
  [ -z "$missing" ] || fail "an evaluation recorded before a kill changed or vanished: $missing"
done
[ -z "$(ls runs/storm/jobs 2>/dev/null)" ] || fail "job directories left: $(ls runs/storm/jobs)"
sleep 0.2
[ -z "$(pgrep -f "$MARKER")" ] || fail "job processes left: $(pgrep -af "$MARKER")"
resumes=$(grep -c "resuming:" storm.log)
echo "kill storm: $kills SIGKILLs, $resumes resumes, $snapshots snapshots checked," \
  "no orphans at $checked checks, $done_count evaluations, database ok"
