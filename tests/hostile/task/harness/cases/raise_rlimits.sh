# Raises its own hard limits (CPU time, open files).
. "$CAMBRIAN_TRUSTED/cases/report.sh"
if python3 -c "
import resource, sys
for r in (resource.RLIMIT_CPU, resource.RLIMIT_NOFILE):
    soft, hard = resource.getrlimit(r)
    if hard != resource.RLIM_INFINITY:
        try:
            resource.setrlimit(r, (hard + 100, hard + 100))
            sys.exit(0)
        except (ValueError, OSError):
            pass
sys.exit(1)
"; then report 1; else report 0; fi
