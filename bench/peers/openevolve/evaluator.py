"""bench/peers: the trivial task's evaluator in OpenEvolve's form.

evaluate(program_path) -> metrics dict with combined_score = -(X-13)^2.
BENCH_EVAL_SLEEP (seconds, default 0) makes it the slow evaluator of the slot
utilisation run; each finished evaluation appends a line to BENCH_EVAL_LOG (the
ground truth the kill -9 test counts against).
"""
import os
import time


def evaluate(program_path):
    namespace = {}
    with open(program_path) as f:
        exec(compile(f.read(), program_path, "exec"), namespace)
    x = int(namespace.get("X", 0))
    sleep = float(os.environ.get("BENCH_EVAL_SLEEP", "0"))
    if sleep > 0:
        time.sleep(sleep)
    log = os.environ.get("BENCH_EVAL_LOG")
    if log:
        with open(log, "a") as f:
            f.write("%d\n" % x)
    return {"combined_score": float(-(x - 13) ** 2), "x": float(x)}
