# Leaves a setsid'ed, double-forked process behind and exits 0. The sleep's
# length is the marker the test looks for afterwards.
( setsid sh -c "sleep $HOSTILE_MARKER & sleep $HOSTILE_MARKER" </dev/null >/dev/null 2>&1 & ) &
. "$CAMBRIAN_TRUSTED/cases/report.sh"
sleep 0.3
report 0
