# Looks for the controller's API key in its own environment.
. "$CAMBRIAN_TRUSTED/cases/report.sh"
if env | grep -q "sk-cambrian-hostile"; then report 1; else report 0; fi
