# Runs the candidate in the way its MODE asks for.
. ./params.sh
case "$MODE" in
  crash) echo "about to crash"; kill -SEGV $$ ;;
  hang) sleep 1000 ;;
  silent) exit 0 ;;
  flood) yes "flooding the harness" ;;
esac
printf '{"metrics": {"x": %s}}\n' "$X" > "$CAMBRIAN_OUT/metrics.json"
