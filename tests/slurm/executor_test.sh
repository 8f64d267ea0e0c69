#!/usr/bin/env bash
# The Slurm executor (per-evaluation jobs) against a real Slurm on loopback
# (tests/slurm/cluster.sh, three one-CPU nodes):
#   a. a search runs every evaluation as a Slurm job, once each;
#   b. the controller is killed (SIGKILL) with jobs in flight: they keep
#      running, and `resume` re-attaches to them instead of submitting them
#      again; nothing is lost, nothing runs twice, nothing stays queued;
#   c. a node is taken down (scontrol ... state=down) under a running job:
#      the search finishes anyway, and no candidate is blamed for it.
#   executor_test.sh CAMBRIAN SOURCE_DIR
set -uo pipefail
CAMBRIAN=$1
SRC=$2
NAME="slurm executor"
SLOW=2
# shellcheck source=tests/slurm/lib.sh
source "$SRC/tests/slurm/lib.sh"

# This run's Slurm jobs as "NAME STATE" lines (the executor names them
# cambrian-TAG-JOB, TAG from its job directory: evaluator/slurm_executor.h).
jobs_of() {
  local tag
  tag=$(printf '%s' "$WORK/runs/$1/slurm" | sha256sum | cut -c1-8)
  squeue --states=all -h -o '%j %T' | grep "^cambrian-$tag-" || true
}
active_jobs() { jobs_of "$1" | grep -cE ' (PENDING|RUNNING|CONFIGURING|COMPLETING)$'; }
# Every evaluation is one job: no job name twice (a requeue keeps its name and id).
once_each() {
  local twice
  twice=$(jobs_of "$1" | awk '{print $1}' | sort | uniq -d)
  [ -z "$twice" ] || fail "run $1 submitted these evaluations twice: $twice"
}

# a. A search, three jobs at once.
"$CAMBRIAN" run task --run-dir runs/a --executor slurm --workers 3 --budget 9 --seed 5 \
  >a.out 2>a.err || fail "run a exited $?"
grep -q "executor: Slurm jobs, up to 3 jobs at once" a.err || fail "run a did not use Slurm"
[ "$(db a "SELECT count(*) FROM candidates WHERE status = 'done'")" = 9 ] ||
  fail "run a: $(db a "SELECT status, count(*) FROM candidates GROUP BY 1")"
[ "$(db a "SELECT count(*) FROM candidates WHERE outcome = 'ok'")" = 9 ] ||
  fail "run a: $(db a "SELECT outcome, count(*) FROM candidates GROUP BY 1")"
[ "$(jobs_of a | grep -c ' COMPLETED$')" = 9 ] || fail "run a: not 9 completed jobs: $(jobs_of a)"
once_each a
[ "$(active_jobs a)" = 0 ] || fail "run a left jobs in the queue"
echo "a: 9 evaluations as 9 Slurm jobs, ${SECONDS} s in all"

# b. Kill the controller with jobs running, then resume.
"$CAMBRIAN" run task --run-dir runs/b --executor slurm --workers 3 --budget 12 --seed 6 \
  >b.out 2>b.err &
RUN_PID=$!
running_b() { [ "$(jobs_of b | grep -c ' RUNNING$')" -ge 2 ] && [ "$(db b "SELECT count(*) FROM candidates WHERE status = 'done'")" -ge 2 ]; }
wait_for 90 running_b || fail "run b never had two jobs running after two results"
kill_controller
in_flight=$(db b "SELECT count(*) FROM candidates WHERE status = 'running'")
[ "$in_flight" -ge 1 ] || fail "nothing was in flight when the controller died"
[ "$(active_jobs b)" -ge 1 ] || fail "the killed controller's jobs did not outlive it"
"$CAMBRIAN" resume runs/b >b2.out 2>b2.err || fail "resume b exited $?"
grep -q "re-attached to [1-9][0-9]* Slurm job(s) of this run" b2.err ||
  fail "resume did not re-attach: $(grep -i slurm b2.err)"
[ "$(db b "SELECT count(*) FROM candidates WHERE status = 'done'")" = 12 ] ||
  fail "run b: $(db b "SELECT status, count(*) FROM candidates GROUP BY 1")"
[ "$(db b "SELECT count(*) FROM candidates WHERE outcome = 'ok'")" = 12 ] ||
  fail "run b: $(db b "SELECT outcome, count(*) FROM candidates GROUP BY 1")"
once_each b
[ "$(jobs_of b | wc -l)" = 12 ] || fail "run b: not 12 jobs for 12 evaluations: $(jobs_of b)"
[ "$(active_jobs b)" = 0 ] || fail "run b left jobs in the queue"
echo "b: killed with $in_flight in flight; resumed, re-attached, 12 evaluations as 12 jobs"

# c. A node goes down under a running job.
"$CAMBRIAN" run task --run-dir runs/c --executor slurm --workers 3 --budget 9 --seed 7 \
  >c.out 2>c.err &
RUN_PID=$!
node_busy() { node=$(squeue -h -t RUNNING -o '%j %N' | grep "^cambrian-" | awk 'NR == 1 {print $2}') && [ -n "$node" ]; }
wait_for 90 node_busy || fail "run c never had a job running"
scontrol update nodename="$node" state=down reason=cambrian-test || fail "scontrol failed"
wait "$RUN_PID"
status=$?
RUN_PID=
[ "$status" = 0 ] || fail "run c exited $status after $node went down"
[ "$(db c "SELECT count(*) FROM candidates WHERE outcome = 'ok'")" = 9 ] ||
  fail "run c: a candidate was blamed for the node: $(db c "SELECT outcome, note FROM candidates WHERE outcome != 'ok'")"
[ "$(active_jobs c)" = 0 ] || fail "run c left jobs in the queue"
scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true
echo "c: $node went down mid-job; 9 of 9 evaluations ok (submitted again by Cambrian:" \
  "$(grep -c 'submitting it again' c.err); requeued by Slurm: the rest), ${SECONDS} s in all"
echo "PASS [slurm executor]"
