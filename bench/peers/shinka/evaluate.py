"""bench/peers: the trivial task's evaluator in ShinkaEvolve's form.

ShinkaEvolve runs `python evaluate.py --program_path P --results_dir R` per
candidate and reads R/metrics.json (combined_score) and R/correct.json. Its own
examples build these with shinka.core.run_shinka_eval, which imports numpy and
starts a process pool per evaluation; this evaluator writes the two files with
the standard library only, so the evaluation itself stays nearly free.
BENCH_EVAL_SLEEP (seconds) makes it the slow evaluator; each finished
evaluation appends a line to BENCH_EVAL_LOG (the kill -9 test's ground truth).
"""
import argparse
import json
import os
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--program_path", required=True)
    parser.add_argument("--results_dir", required=True)
    args = parser.parse_args()
    namespace = {}
    with open(args.program_path) as f:
        exec(compile(f.read(), args.program_path, "exec"), namespace)
    x = int(namespace.get("X", 0))
    sleep = float(os.environ.get("BENCH_EVAL_SLEEP", "0"))
    if sleep > 0:
        time.sleep(sleep)
    os.makedirs(args.results_dir, exist_ok=True)
    score = float(-(x - 13) ** 2)
    with open(os.path.join(args.results_dir, "metrics.json"), "w") as f:
        json.dump({"combined_score": score, "public": {"x": x}, "private": {}}, f)
    with open(os.path.join(args.results_dir, "correct.json"), "w") as f:
        json.dump({"correct": True, "error": None}, f)
    log = os.environ.get("BENCH_EVAL_LOG")
    if log:
        with open(log, "a") as f:
            f.write("%d\n" % x)


if __name__ == "__main__":
    main()
