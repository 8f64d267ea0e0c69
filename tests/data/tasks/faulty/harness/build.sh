# "Builds" the candidate: fails like a compiler would when MODE=badbuild.
. ./params.sh
if [ "$MODE" = badbuild ]; then
  echo "params.sh:2: error: expected ';' before 'X'" >&2
  exit 1
fi
echo "build ok"
