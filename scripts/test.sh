#!/usr/bin/env bash
# Installs, builds and runs the whole test suite (unit tests of every module
# and the end-to-end suites that drive the real `cambrian` binary).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
cd build
ctest --output-on-failure -j 2 "$@"
