#!/bin/sh
# Builds a CUDA task's judge from its judge.cu and the trusted library
# (C++ in ../cpp, GPU host code here): a task's [trusted] setup runs
#   sh "$CAMBRIAN_KERNELS/cuda/build_judge.sh" "$CAMBRIAN_TRUSTED/judge.cu" judge [-lcublas ...]
set -eu
[ $# -ge 2 ] || { echo "usage: build_judge.sh JUDGE.cu OUTPUT [LINK FLAGS...]" >&2; exit 2; }
here=$(dirname "$0")
. "$here/cuda_env.sh"
source=$1
output=$2
shift 2
cpp=$here/../cpp
# shellcheck disable=SC2086
exec "$NVCC" -O2 -std=c++20 $GENCODE -I"$cpp" -I"$here" "$source" \
  "$here/gpu.cc" "$here/candidate_module.cc" "$here/gpu_call.cc" "$here/gpu_judge.cc" \
  "$cpp/entropy.cc" "$cpp/report.cc" "$cpp/stats.cc" "$cpp/tolerance.cc" "$cpp/poison.cc" \
  "$cpp/device_peak.cc" "$cpp/launch_decl.cc" -lcuda "$@" -Xlinker -rpath -Xlinker "$CUDA_LIB" -o "$output"
