"""The trusted scorer in Python: reads X from the candidate's params.sh,
optionally sleeps (the 0.5 s evaluator), reports x, and appends one line to
the bench's evaluation log. Warm (a request per candidate) or one-shot (the
job protocol's files), as the task says."""
import json
import os
import re
import time

SETTINGS = {"BENCH_EVAL_SLEEP": "0", "BENCH_EVAL_LOG": os.devnull}
try:
    with open(os.path.join(os.environ["CAMBRIAN_TRUSTED"], "bench.env")) as env:
        SETTINGS.update(line.strip().split("=", 1) for line in env if "=" in line)
except FileNotFoundError:
    pass


def score(job_dir):
    text = open(os.path.join(job_dir, "params.sh")).read()
    found = re.search(r"^X=(\d+)", text, re.M)
    if float(SETTINGS["BENCH_EVAL_SLEEP"]) > 0:
        time.sleep(float(SETTINGS["BENCH_EVAL_SLEEP"]))
    x = int(found.group(1)) if found else 0
    with open(SETTINGS["BENCH_EVAL_LOG"], "a") as log:
        log.write(f"{x}\n")
    return {"metrics": {"x": x, "valid": int(found is not None)}}


if "CAMBRIAN_WARM_FD" in os.environ:
    from cambrian_kernels import warm
    warm.serve(lambda request: score(request["job_dir"]))
else:
    with open(os.path.join(os.environ["CAMBRIAN_OUT"], "metrics.json"), "w") as out:
        json.dump(score(os.environ["CAMBRIAN_JOB_DIR"]), out)
