# Looks for the API key in the environment of its parent and of every
# process it can see (/proc/*/environ).
. "$CAMBRIAN_TRUSTED/cases/report.sh"
for f in /proc/$PPID/environ /proc/[0-9]*/environ; do
  if tr '\0' '\n' < "$f" 2>/dev/null | grep -q "sk-cambrian-hostile"; then report 1; fi
done
report 0
