# Two busy loops for 2 s under cpus = 1: a breach is more than 1.3 CPU
# seconds per wall-clock second between them.
. "$CAMBRIAN_TRUSTED/cases/report.sh"
busy() { while :; do :; done; }
busy & a=$!
busy & b=$!
start=$(date +%s%N)
sleep 2
ticks=$(cat "/proc/$a/stat" "/proc/$b/stat" | awk '{ s += $14 + $15 } END { print s }')
end=$(date +%s%N)
kill $a $b
if awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v ns=$((end - start)) \
  'BEGIN { exit !(t / hz / (ns / 1e9) > 1.3) }'; then report 1; else report 0; fi
