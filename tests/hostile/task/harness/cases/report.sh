# Sourced by the cases: report BREACH (1: the attack worked) as metrics.
report() {
  printf '{"metrics": {"breach": %s, "x": 1}}\n' "$1" > "$CAMBRIAN_OUT/metrics.json"
  exit 0
}
