# Looks for the run directory's host path in the mount table. Bind mounts
# show their source path (mountinfo's fourth field), so this is a known,
# documented limit (docs/sandbox.md): the job knows its own directory's
# host path anyway (cwd, CAMBRIAN_JOB_DIR).
. "$CAMBRIAN_TRUSTED/cases/report.sh"
run_dir=$(dirname "$(dirname "$CAMBRIAN_JOB_DIR")")
if grep -qF " $run_dir/" /proc/self/mountinfo; then report 1; else report 0; fi
