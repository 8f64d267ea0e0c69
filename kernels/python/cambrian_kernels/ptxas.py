"""Compile-time facts of a CUDA kernel from `nvcc -Xptxas -v` output.

A CUDA task's build stage (kernels/cuda/build_candidate.sh) runs

    python3 ptxas.py BUILD_LOG KERNEL OUT_DIR

which writes OUT_DIR/metrics.json with the kernel's registers per thread,
spill stores, stack frame and static shared memory at the highest
architecture it was compiled for. The log is the compiler's, and the
candidate's source can put text in it (warnings), so lines count only when
they match ptxas's own format exactly; still, these are features for
MAP-Elites, never a score. The judge reports the loaded kernel's figures
from the driver (`registers`, `local_bytes`, `shared_bytes`).
"""

import json
import os
import re
import sys

_ENTRY = re.compile(r"^ptxas info\s+: Compiling entry function '([A-Za-z_$][\w$]*)' for 'sm_(\d+)a?'$")
_FRAME = re.compile(r"^\s+(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads$")
_USED = re.compile(r"^ptxas info\s+: Used (\d+) registers(?:, used \d+ barriers)?"
                   r"(?:, \d+ bytes cumulative stack size)?(?:, (\d+) bytes smem)?"
                   r"(?:, \d+ bytes cmem\[\d+\])*$")
_MAX_LOG_BYTES = 1 << 20


def parse(text, kernel):
    """{arch: {"registers", "spill_bytes", "stack_bytes", "smem_bytes"}} for `kernel`."""
    facts = {}
    current = None
    for line in text.splitlines():
        entry = _ENTRY.match(line)
        if entry:
            current = int(entry.group(2)) if entry.group(1) == kernel else None
            if current is not None:
                facts[current] = {}
            continue
        if current is None:
            continue
        frame = _FRAME.match(line)
        if frame:
            facts[current]["stack_bytes"] = int(frame.group(1))
            facts[current]["spill_bytes"] = int(frame.group(2)) + int(frame.group(3))
            continue
        used = _USED.match(line)
        if used:
            facts[current]["registers"] = int(used.group(1))
            facts[current]["smem_bytes"] = int(used.group(2) or 0)
            current = None
    return {arch: f for arch, f in facts.items() if "registers" in f}


def metrics(facts):
    """The metrics of the highest architecture, named ptxas_*."""
    if not facts:
        return {}
    arch = max(facts)
    out = {"ptxas_arch": arch}
    for name in ("registers", "spill_bytes", "stack_bytes", "smem_bytes"):
        out["ptxas_" + name] = facts[arch].get(name, 0)
    return out


def main(argv):
    if len(argv) != 4:
        print("usage: ptxas.py BUILD_LOG KERNEL OUT_DIR", file=sys.stderr)
        return 2
    with open(argv[1], "rb") as log:
        text = log.read(_MAX_LOG_BYTES).decode("utf-8", "replace")
    found = metrics(parse(text, argv[2]))
    if not found:
        print(f"ptxas.py: no ptxas facts for kernel '{argv[2]}' in {argv[1]} "
              "(is it extern \"C\" __global__?)", file=sys.stderr)
        return 1
    path = os.path.join(argv[3], "metrics.json")
    with open(path + ".tmp", "w") as out:
        json.dump({"metrics": found}, out)
    os.replace(path + ".tmp", path)
    print(" ".join(f"{k}={v}" for k, v in found.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
