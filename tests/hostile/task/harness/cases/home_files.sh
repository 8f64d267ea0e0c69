# Reads files under the home directories (/root, /home/*).
. "$CAMBRIAN_TRUSTED/cases/report.sh"
found=$(find /root /home -maxdepth 2 -type f -readable 2>/dev/null | head -1)
if [ -n "$found" ]; then report 1; else report 0; fi
