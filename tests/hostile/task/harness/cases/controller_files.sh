# Reads the controller's database and other jobs' directories next to its own.
. "$CAMBRIAN_TRUSTED/cases/report.sh"
runs=$(dirname "$(dirname "$CAMBRIAN_JOB_DIR")")
if cat "$runs/cambrian.db" >/dev/null 2>&1; then report 1; fi
for other in "$(dirname "$CAMBRIAN_JOB_DIR")"/*; do
  case "$other" in "$CAMBRIAN_JOB_DIR" | "$CAMBRIAN_JOB_DIR".out) continue ;; esac
  [ -e "$other" ] && report 1
done
report 0
