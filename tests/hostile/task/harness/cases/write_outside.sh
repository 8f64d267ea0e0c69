# Writes next to its own directory and into the host's /tmp; the test checks
# on the host side whether the files appeared.
. "$CAMBRIAN_TRUSTED/cases/report.sh"
echo pwned > "$(dirname "$CAMBRIAN_JOB_DIR")/outside-$HOSTILE_MARKER" 2>/dev/null
echo pwned > "/tmp/cambrian-hostile-$HOSTILE_MARKER" 2>/dev/null
report 0
