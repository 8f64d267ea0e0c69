#!/usr/bin/env bash
# The built-in CUDA kernel tasks (tasks/*/ whose stages use kernels/cuda),
# end to end through the real binary under bubblewrap.
#   cuda_tasks_test.sh CAMBRIAN_BINARY SOURCE_DIR build|gpu
# build: each task's setup (the judge, built with nvcc) and the build stage
#        of its seed (nvcc for sm_80 and sm_90, ptxas facts as metrics), via
#        `cambrian eval TASK --until build`: no GPU needed.
# gpu:   on a machine with a GPU, each task's `judge selftest` (the trusted
#        reference against a double-precision host computation) and a full
#        evaluation of its seed, which must end ok with a positive speedup.
#        Skipped (exit 77) where nvidia-smi lists no GPU.
# Both are skipped (exit 77) where nvcc is missing.
set -uo pipefail
CAMBRIAN=$(realpath "$1")
SRC=$(realpath "$2")
MODE=$3
NVCC=$(command -v nvcc || echo "${CUDA_HOME:-/usr/local/cuda}/bin/nvcc")
if [ ! -x "$NVCC" ]; then
  echo "SKIP: nvcc not found (install the CUDA Toolkit)"
  exit 77
fi
if [ "$MODE" = gpu ] && ! nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then
  echo "SKIP: no GPU (nvidia-smi -L lists none)"
  exit 77
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cambrian-cuda-tasks.XXXXXX")
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT

failures=0
tasks=0
for toml in "$SRC"/tasks/*/task.toml; do
  grep -q 'kernels/cuda\|KERNELS/cuda' "$toml" || continue
  task=$(basename "$(dirname "$toml")")
  tasks=$((tasks + 1))
  if [ "$MODE" = build ]; then
    flags=(--until build)
  else
    flags=()
  fi
  "$CAMBRIAN" eval "$SRC/tasks/$task" --json --sandbox bwrap --work-dir "$WORK/$task" \
    "${flags[@]}" >"$WORK/$task.json" 2>"$WORK/$task.err"
  verdict=$(python3 - "$WORK/$task.json" "$MODE" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception as e:
    print(f"no result ({e})"); sys.exit()
m = r["metrics"]
if r["outcome"] != "ok":
    print(f"ended {r['outcome']}: {r['note']}"); sys.exit()
if sys.argv[2] == "build":
    ok = all(k in m for k in ("ptxas_registers", "ptxas_spill_bytes", "ptxas_smem_bytes"))
    print("pass" if ok else f"no ptxas metrics: {sorted(m)}")
else:
    print("pass" if m.get("speedup", 0) > 0 and m.get("timed_correct") == 1 else f"metrics {m}")
PY
)
  if [ "$MODE" = gpu ] && [ "$verdict" = pass ]; then
    if ! (cd "$WORK/$task/setup" && CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-0} ./judge selftest \
      >"$WORK/$task.selftest" 2>&1); then
      verdict="judge selftest failed: $(tail -3 "$WORK/$task.selftest")"
    fi
  fi
  if [ "$verdict" = pass ]; then
    printf '%-22s pass  %s\n' "$task" "$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["metrics"]; print(" ".join(f"{k}={m[k]:g}" for k in sorted(m) if k.startswith(("ptxas_r","speedup","gflops","gbps","kernel_us"))))' "$WORK/$task.json")"
  else
    printf '%-22s FAIL  %s\n' "$task" "$verdict"
    tail -5 "$WORK/$task.err" | sed "s/^/    [$task] /"
    failures=$((failures + 1))
  fi
done
if [ "$tasks" -eq 0 ]; then
  echo "FAIL: no CUDA task found under $SRC/tasks"
  exit 1
fi
[ "$failures" -eq 0 ] && echo "all $tasks CUDA tasks pass ($MODE)" || echo "FAIL: $failures task(s)"
[ "$failures" -eq 0 ]
