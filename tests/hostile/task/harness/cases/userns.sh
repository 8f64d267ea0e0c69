# Becomes root of a user namespace of its own (where it could mount).
. "$CAMBRIAN_TRUSTED/cases/report.sh"
if unshare -Ur true 2>/dev/null; then report 1; else report 0; fi
