#!/usr/bin/env bash
# Installs, builds and runs the whole test suite (unit tests of every module
# and the end-to-end suites that drive the real `cambrian` binary).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
# The real model server of the llm-real test: built once (about 5 minutes on
# 2 cores) and cached in ~/.cache/cambrian, outside the clone.
scripts/local_llm.sh prepare >/dev/null
cd build
ctest --output-on-failure -j 2 "$@"
