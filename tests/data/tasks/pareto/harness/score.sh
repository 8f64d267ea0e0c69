# Trusted scorer: reads the candidate's parameters in a subshell and reports them.
set -eu
values=$(sh -c '. ./params.sh; echo "$X $Y"')
set -- $values
case "$1$2" in *[!0-9]*) valid=0 ;; *) valid=1 ;; esac
printf '{"metrics": {"x": %s, "y": %s, "valid": %s}}\n' "${1:-0}" "${2:-0}" "$valid" > "$CAMBRIAN_OUT/metrics.json"
