#!/usr/bin/env bash
# The main job: install, build, then a real 3-minute search on the built-in
# CPU matmul task with 2 workers and no LLM, ending with the leaderboard.
# Arguments are passed to `cambrian run` (e.g. --time 10m --workers 4).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh cambrian
exec build/cambrian run matmul-cpu --time 3m --workers 2 --seed 1 "$@"
