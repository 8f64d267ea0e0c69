#!/usr/bin/env bash
# Configures and builds Cambrian into ./build (binary: build/cambrian).
# Extra arguments are passed to CMake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" > build.log 2>&1 ||
  { cat build.log; exit 1; }
cmake --build build -j "$(nproc)"
