# Runs the hostile case the candidate's MODE names (see tests/hostile/).
. ./params.sh
export HOSTILE_PORT HOSTILE_MARKER HOSTILE_MEMORY
if [ "$MODE" = ok ]; then
  printf '{"metrics": {"breach": 0, "x": 1}}\n' > "$CAMBRIAN_OUT/metrics.json"
  exit 0
fi
exec sh "$CAMBRIAN_TRUSTED/cases/$MODE.sh"
