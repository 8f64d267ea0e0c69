#!/usr/bin/env bash
# Installs every Debian 12 package Cambrian needs to build, test and run its
# built-in tasks. Safe to run again: apt skips what is already installed.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  # toolchain
  g++ cmake ninja-build pkg-config git
  # tasks/hybrid-lm: its corpus is Perl's core library (perl-modules-5.36)
  perl
  # libraries (see CMakeLists.txt for what each is for)
  libabsl-dev nlohmann-json3-dev libtomlplusplus-dev libmuparser-dev libcli11-dev
  libsqlite3-dev libzstd-dev libssl-dev libcurl4-openssl-dev libcpp-httplib-dev
  # tests: GoogleTest, and the tools the end-to-end suites call
  libgtest-dev libgmock-dev python3 patch sqlite3 procps
  # tests/e2e/dashboard_test.py: `cambrian serve` driven in a real headless browser
  chromium chromium-driver python3-selenium
  # tests/slurm: a real Slurm on loopback (tests/slurm/cluster.sh) for the Slurm executor
  slurm-wlm slurm-client munge
  # tests/llm_real: scripts/local_llm.sh fetches llama.cpp and a model from PyPI
  curl ca-certificates
  # tasks/hybrid-lm: PyTorch (CPU) and its BLAS
  python3-torch python3-numpy libopenblas0-pthread
  # sandbox: bubblewrap isolates jobs (setpriv, for root, is util-linux's, always there)
  bubblewrap
)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
