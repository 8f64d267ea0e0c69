# Sourced by build_judge.sh and build_candidate.sh: finds nvcc and picks the
# GPU architectures to compile for.
#
# CAMBRIAN_CUDA_ARCHS: space-separated compute capabilities without the dot
# (default "80 90": A100 and H100 machine code). The lowest also gets PTX,
# which the driver compiles for any newer GPU; a GPU visible here adds its own.
NVCC=$(command -v nvcc || true)
[ -n "$NVCC" ] || NVCC=${CUDA_HOME:-/usr/local/cuda}/bin/nvcc
if [ ! -x "$NVCC" ]; then
  echo "nvcc not found (not on PATH, nor in \${CUDA_HOME:-/usr/local/cuda}/bin): install the CUDA Toolkit" >&2
  exit 1
fi
# Where libcublas and friends live, for the judge's run path.
CUDA_LIB=$(cd "$(dirname "$NVCC")/.." && pwd)/lib64
archs=${CAMBRIAN_CUDA_ARCHS:-80 90}
if command -v nvidia-smi >/dev/null 2>&1; then
  local_arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -n1 | tr -d '. ')
  case "$local_arch" in *[!0-9]* | "") ;; *) archs="$archs $local_arch" ;; esac
fi
GENCODE=""
lowest=""
for arch in $(printf '%s\n' $archs | sort -un); do
  [ -n "$lowest" ] || lowest=$arch
  GENCODE="$GENCODE -gencode arch=compute_$arch,code=sm_$arch"
done
GENCODE="$GENCODE -gencode arch=compute_$lowest,code=compute_$lowest"
