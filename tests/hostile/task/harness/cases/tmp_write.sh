# /tmp and /dev/shm must be writable, private and capped: a breach is
# either not being able to write them or filling /dev/shm past 64 MiB
# (the caps are at most the job's disk cap).
. "$CAMBRIAN_TRUSTED/cases/report.sh"
echo x > /tmp/hostile-tmp && echo x > /dev/shm/hostile-tmp || report 1
i=0
while [ $i -lt 80 ] && head -c 1048576 /dev/zero > "/dev/shm/fill.$i" 2>/dev/null; do
  i=$((i + 1))
done
rm -f /dev/shm/fill.* /tmp/hostile-tmp /dev/shm/hostile-tmp
if [ $i -gt 64 ]; then report 1; else report 0; fi
