# Edits the trusted harness and its reference data.
. "$CAMBRIAN_TRUSTED/cases/report.sh"
echo "# pwned" >> "$CAMBRIAN_TRUSTED/reference.txt" 2>/dev/null
echo "# pwned" >> "$CAMBRIAN_TRUSTED/run.sh" 2>/dev/null
report 0
