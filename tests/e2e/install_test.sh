#!/usr/bin/env bash
# Cambrian as a user installs it (issue 13): `cmake --install` into a fresh
# prefix and a real search from an unrelated directory with the installed
# binary, which must find its built-in tasks, prompts and kernels library
# under PREFIX/share/cambrian; then the .deb from CPack, unpacked into a
# directory of its own (not installed system-wide) and used the same way.
#   install_test.sh BUILD_DIR
set -euo pipefail
BUILD=$(realpath "$1")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cambrian-install.XXXXXX")
chmod 755 "$WORK"  # the sandbox uid walks down to the job directories
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# search BINARY DATA_DIR: `tasks` names DATA_DIR, a 3-evaluation search of
# matmul-cpu from a directory that is not the source tree ends with a
# leaderboard, and the installed docs are there.
search() {
  local binary=$1 data=$2 here
  here=$(mktemp -d "$WORK/elsewhere.XXXXXX")
  chmod 755 "$here"
  (cd "$here" && env -u CAMBRIAN_TASKS_DIR -u CAMBRIAN_PROMPTS_DIR -u CAMBRIAN_KERNELS_DIR \
    "$binary" tasks) >"$WORK/tasks.txt" || fail "$binary tasks"
  grep -q "Built-in tasks in $data/tasks" "$WORK/tasks.txt" ||
    fail "$binary does not use its installed tasks: $(head -1 "$WORK/tasks.txt")"
  for task in matmul-cpu hybrid-lm sgemm-cuda; do
    grep -q "^$task " "$WORK/tasks.txt" || fail "$task not listed by the installed binary"
  done
  [ -f "$data/prompts/system.txt" ] || fail "no prompts in $data"
  [ -f "$data/kernels/cpp/judge_session.h" ] || fail "no kernels library in $data"
  (cd "$here" && "$binary" run matmul-cpu --budget 3 --workers 1 --seed 1 --run-dir run \
    >"$WORK/run.txt" 2>&1) || { tail -20 "$WORK/run.txt"; fail "search with $binary"; }
  (cd "$here" && "$binary" leaderboard --run-dir run --json) >"$WORK/board.json" ||
    fail "leaderboard"
  python3 - "$WORK/board.json" <<'PY' || fail "no scored candidate in the installed binary's run"
import json, sys
board = json.load(open(sys.argv[1]))
rows = board["candidates"] if isinstance(board, dict) else board
assert any(r.get("fitness") for r in rows), rows
PY
  echo "ok: $binary ($data)"
}

# A copy of the built binary outside any tree still finds the source tree
# it was built from (a build directory anywhere: cmake -B /elsewhere).
mkdir -p "$WORK/loose"
cp "$BUILD/cambrian" "$WORK/loose/"
SOURCE=$(cd "$(dirname "$0")/../.." && pwd)
(cd "$WORK" && env -u CAMBRIAN_TASKS_DIR "$WORK/loose/cambrian" tasks) | head -1 |
  grep -q "Built-in tasks in $SOURCE/tasks" || fail "a loose binary does not find its source tree"

cmake --install "$BUILD" --prefix "$WORK/prefix" >"$WORK/install.log" || fail "cmake --install"
[ -x "$WORK/prefix/bin/cambrian" ] || fail "no bin/cambrian in the prefix"
[ -f "$WORK/prefix/share/doc/cambrian/README.md" ] || fail "no docs in the prefix"
search "$WORK/prefix/bin/cambrian" "$WORK/prefix/share/cambrian"

(cd "$BUILD" && cpack -G DEB -B "$WORK/deb" >"$WORK/cpack.log" 2>&1) ||
  { tail -20 "$WORK/cpack.log"; fail "cpack -G DEB"; }
deb=$(ls "$WORK"/deb/cambrian_*.deb)
dpkg-deb -f "$deb" Depends | grep -q libsqlite3 || fail "the .deb declares no shared-library depends"
dpkg-deb -x "$deb" "$WORK/root"
search "$WORK/root/usr/bin/cambrian" "$WORK/root/usr/share/cambrian"
echo "install test passed: $(basename "$deb")"
