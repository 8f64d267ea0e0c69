#!/usr/bin/env bash
# The loopback Slurm cluster the Slurm executor is tested against (issue
# 16) comes up, runs jobs to their real end states, routes around a node
# taken down, and leaves no daemon behind.
#   fixture_test.sh SOURCE_DIR
set -uo pipefail
SRC=$1
[ "$(id -u)" = 0 ] || { echo "SKIP [slurm fixture]: slurmd needs root"; exit 77; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cambrian-slurm.XXXXXX")
CLUSTER="$SRC/tests/slurm/cluster.sh"
trap '"$CLUSTER" stop "$WORK/cluster"; rm -rf "$WORK"' EXIT

fail() {
  echo "FAIL [slurm fixture]: $*" >&2
  squeue --states=all -o "%i %T %N %R" >&2 || true
  exit 1
}

# The state of job $1 once it has left PENDING/RUNNING (30 s at most).
final_state() {
  local state
  for _ in $(seq 150); do
    state=$(squeue --states=all -h -j "$1" -o %T 2>/dev/null)
    case "$state" in PENDING | RUNNING | CONFIGURING | COMPLETING | "") sleep 0.2 ;; *) echo "$state"; return ;; esac
  done
  echo "STUCK:$state"
}

eval "$("$CLUSTER" start "$WORK/cluster" 2 1)" || fail "the cluster did not start"
[ "$(sinfo -h -N -o %t | sort | uniq -c | awk '{print $1 $2}')" = 2idle ] || fail "not 2 idle nodes"

ok=$(sbatch --parsable -o "$WORK/ok.out" --wrap 'echo ran on $SLURMD_NODENAME')
bad=$(sbatch --parsable -o /dev/null --wrap 'exit 3')
long=$(sbatch --parsable -o /dev/null --wrap 'sleep 300')
[ "$(final_state "$ok")" = COMPLETED ] || fail "job $ok did not complete"
grep -q "ran on n" "$WORK/ok.out" || fail "job $ok wrote no output"
[ "$(final_state "$bad")" = FAILED ] || fail "a job exiting 3 is not FAILED"
for _ in $(seq 100); do [ "$(squeue -h -j "$long" -o %T)" = RUNNING ] && break; sleep 0.1; done
scancel "$long"
[ "$(final_state "$long")" = CANCELLED ] || fail "a cancelled job is not CANCELLED"

# A node taken down: work goes to the other one.
scontrol update nodename=n1 state=down reason=cambrian-test || fail "scontrol update"
after=$(sbatch --parsable -o /dev/null --wrap true)
[ "$(final_state "$after")" = COMPLETED ] || fail "no job ran with n1 down"
[ "$(squeue --states=all -h -j "$after" -o %N)" = n2 ] || fail "the job did not run on n2"

conf="$WORK/cluster/slurm.conf"
"$CLUSTER" stop "$WORK/cluster"
pgrep -f "$conf" >/dev/null && fail "a daemon of the test cluster is still running"
echo "PASS [slurm fixture]"
