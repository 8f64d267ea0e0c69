#!/usr/bin/env python3
"""Rewrites every case of cases.txt as a complete model.py: the task's
current seed (tasks/hybrid-lm/program/model.py) followed by the case's cheat,
which is everything from its "# ---- cheat:" line on. Run it after the seed
changes; run_pair.py refuses stale cases.

  refresh.py
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.join(HERE, "..", "..", "..", "tasks", "hybrid-lm", "program", "model.py")
MARKER = "# ---- cheat:"


def seed_source():
    with open(SEED) as f:
        return f.read()


def cheat_part(path):
    """The cheat of a case file: from its marker line to the end."""
    with open(path) as f:
        text = f.read()
    at = text.find("\n" + MARKER)
    if at < 0:
        raise SystemExit(f"{path}: no '{MARKER}' line")
    return text[at + 1 :]


def complete(path, seed):
    return seed + "\n\n" + cheat_part(path)


def case_names():
    with open(os.path.join(HERE, "cases.txt")) as f:
        return [line.split("|", 1)[0] for line in f if line.strip() and not line.startswith("#")]


def main():
    seed = seed_source()
    for name in case_names():
        path = os.path.join(HERE, f"{name}.py")
        text = complete(path, seed)
        with open(path, "w") as f:
            f.write(text)
    print(f"{len(case_names())} cases rewritten on the current seed")


if __name__ == "__main__":
    main()
