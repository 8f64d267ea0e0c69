#!/bin/sh
# A CUDA task's build stage: compiles the candidate's device code into a
# fatbin the judge loads (machine code for each architecture, PTX for newer
# ones) and reports what ptxas says of its kernel as metrics (registers,
# spills, shared memory at the highest architecture), usable as MAP-Elites
# features. These come from the compiler's log, which the source can
# influence, so they are features only; the judge reports the loaded
# kernel's real figures separately.
#   sh "$CAMBRIAN_KERNELS/cuda/build_candidate.sh" SOURCE.cu KERNEL
set -eu
[ $# -eq 2 ] || { echo "usage: build_candidate.sh SOURCE.cu KERNEL" >&2; exit 2; }
here=$(dirname "$0")
. "$here/cuda_env.sh"
# shellcheck disable=SC2086
if ! "$NVCC" -O3 -std=c++17 --fatbin $GENCODE -Xptxas -v -I"$here" "$1" -o kernel.fatbin \
  >build.log 2>&1; then
  cat build.log
  exit 1
fi
python3 "$here/../python/cambrian_kernels/ptxas.py" build.log "$2" "${CAMBRIAN_OUT:-.}"
