#!/usr/bin/env bash
# The Slurm executor's workers mode against a real Slurm on loopback
# (tests/slurm/cluster.sh, three one-CPU nodes):
#   a. a search served by a job array of workers that lease evaluations;
#   b. a worker is killed (SIGKILL through scancel) in the middle of an
#      evaluation: its lease expires and another worker redoes it;
#   c. the controller is killed and resumed: the array is kept, and results
#      of evaluations the old controller leased are taken, not redone.
#   workers_test.sh CAMBRIAN SOURCE_DIR
set -uo pipefail
CAMBRIAN=$1
SRC=$2
NAME="slurm workers"
SLOW=3
# shellcheck source=tests/slurm/lib.sh
source "$SRC/tests/slurm/lib.sh"

done_ok() { [ "$(db "$1" "SELECT count(*) FROM candidates WHERE status = 'done' AND outcome = 'ok'")" = "$2" ]; }
# How many times each evaluation was started on a worker, over all workers.
started() { cat runs/"$1"/slurm/workers-*.out 2>/dev/null | grep -o 'evaluating c[0-9]*$' | sort | uniq -c; }
no_workers() { ! squeue -h -o '%j %T' | grep -q -- '-workers '; }

# a. A search served by three workers.
"$CAMBRIAN" run task --run-dir runs/a --executor slurm --slurm-mode workers --workers 3 \
  --budget 9 --seed 5 >a.out 2>a.err || fail "run a exited $?"
grep -q "workers: Slurm array [0-9]* of 3 task(s)" a.err || fail "run a submitted no array"
done_ok a 9 || fail "run a: $(db a "SELECT status, outcome, count(*) FROM candidates GROUP BY 1, 2")"
[ -z "$(started a | awk '$1 > 1')" ] || fail "run a evaluated something twice: $(started a)"
wait_for 30 no_workers || fail "run a left its workers running"
echo "a: 9 evaluations by 3 workers, each once"

# b. SIGKILL one worker mid-evaluation.
"$CAMBRIAN" run task --run-dir runs/b --executor slurm --slurm-mode workers --workers 2 \
  --budget 6 --seed 6 >b.out 2>b.err &
RUN_PID=$!
busy() { grep -l 'evaluating c[0-9]*$' runs/b/slurm/workers-*.out 2>/dev/null | head -1; }
some_busy() { [ -n "$(busy)" ]; }
wait_for 90 some_busy || fail "no worker of run b started an evaluation"
victim=$(basename "$(busy)" .out)
victim=${victim#workers-}
scancel --signal=KILL "$victim" || fail "scancel --signal=KILL $victim failed"
wait "$RUN_PID" || fail "run b exited $? after worker $victim was killed"
RUN_PID=
done_ok b 6 || fail "run b: $(db b "SELECT status, outcome, count(*) FROM candidates GROUP BY 1, 2")"
grep -q "lease(s) expired: their evaluations go back to the queue" b.err ||
  fail "no lease expired after worker $victim was killed"
[ -n "$(started b | awk '$1 == 2')" ] || fail "nothing was redone: $(started b)"
echo "b: worker $victim killed; its lease expired and the evaluation was redone; 6 of 6 ok"

# c. Kill the controller while workers are busy, then resume.
"$CAMBRIAN" run task --run-dir runs/c --executor slurm --slurm-mode workers --workers 3 \
  --budget 12 --seed 7 >c.out 2>c.err &
RUN_PID=$!
three_busy() { [ "$(started c | wc -l)" -ge 5 ] && [ "$(db c "SELECT count(*) FROM candidates WHERE status = 'running'")" -ge 2 ]; }
wait_for 120 three_busy || fail "run c never had evaluations in flight"
kill_controller
"$CAMBRIAN" resume runs/c >c2.out 2>c2.err || fail "resume c exited $?"
grep -q "re-attached to the workers' array" c2.err || fail "resume submitted a new array"
done_ok c 12 || fail "run c: $(db c "SELECT status, outcome, count(*) FROM candidates GROUP BY 1, 2")"
[ -z "$(started c | awk '$1 > 1')" ] || fail "run c evaluated something twice: $(started c)"
wait_for 30 no_workers || fail "run c left its workers running"
echo "c: controller killed and resumed; the array kept, nothing evaluated twice; 12 of 12 ok"
echo "PASS [slurm workers]"
