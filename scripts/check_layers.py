#!/usr/bin/env python3
"""Checks the include graph against the layers in ARCHITECTURE.md §3.

    common <- archive, sandbox, mutators; sandbox <- evaluator; everything <- orchestrator

Every `#include "DIR/..."` in a library directory must name DIR itself or a
layer below it; kernels/ (trusted code tasks compile on their own) includes
nothing of the harness. Prints each violation as FILE:LINE and exits 1 if
there is any. `check_layers.py [ROOT]` (default: the repository).
"""

import os
import re
import sys

ALLOWED = {
    "common": {"common"},
    "archive": {"common", "archive"},
    "sandbox": {"common", "sandbox"},
    "mutators": {"common", "mutators"},
    "evaluator": {"common", "sandbox", "evaluator"},
    "orchestrator": {"common", "archive", "sandbox", "mutators", "evaluator", "orchestrator"},
    "kernels": set(),
}
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"/]+)/')
SOURCES = (".h", ".cc", ".cpp", ".cu", ".cuh")


def violations(root):
    found = []
    for layer, allowed in ALLOWED.items():
        top = os.path.join(root, layer)
        for dirpath, _, files in os.walk(top):
            for name in sorted(files):
                if not name.endswith(SOURCES):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8", errors="replace") as source:
                    for number, line in enumerate(source, 1):
                        match = INCLUDE.match(line)
                        if not match:
                            continue
                        target = match.group(1)
                        if target in ALLOWED and target not in allowed:
                            found.append(f"{os.path.relpath(path, root)}:{number}: {layer} "
                                         f"includes {target}/, which is not below it")
    return found


def main(argv):
    root = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    found = violations(root)
    for line in found:
        print(line)
    print(f"layers: {len(found)} violation(s)" if found else "layers: include graph ok")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
