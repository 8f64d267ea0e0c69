# Trusted scorer: reads X in a subshell, optionally sleeps (the 0.5 s
# evaluator), reports x, and appends one line to the bench's evaluation log
# (the ground truth of how many evaluations finished, for the kill -9 test).
set -eu
BENCH_EVAL_SLEEP=0
BENCH_EVAL_LOG=/dev/null
[ -f "$CAMBRIAN_TRUSTED/bench.env" ] && . "$CAMBRIAN_TRUSTED/bench.env"
x=$(sh -c '. ./params.sh; echo "$X"')
case "$x" in ''|*[!0-9]*) valid=0; x=0 ;; *) valid=1 ;; esac
[ "$BENCH_EVAL_SLEEP" = 0 ] || sleep "$BENCH_EVAL_SLEEP"
printf '{"metrics": {"x": %s, "valid": %s}}\n' "$x" "$valid" > "$CAMBRIAN_OUT/metrics.json"
echo "$x" >> "$BENCH_EVAL_LOG"
