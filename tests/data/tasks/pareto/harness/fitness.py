"""The task's fitness program: every stage's metrics in ($CAMBRIAN_METRICS),
the objectives' metrics out ($CAMBRIAN_OUT/metrics.json). The scorer is
trusted here, but a fitness program handles whatever its input holds: bad
input is the candidate's (exit 3 rejects it), a crash is the task's."""
import json
import os
import sys

metrics = json.load(open(os.environ["CAMBRIAN_METRICS"]))["metrics"]
x, y = metrics.get("x"), metrics.get("y")
if not all(isinstance(v, (int, float)) and 0 <= v <= 1000 for v in (x, y)):
    print(f"x and y must be numbers in 0..1000, got {x!r} and {y!r}")
    sys.exit(3)
report = {"metrics": {"quality": x + y, "cost": x * x + 2 * y * y}}
with open(os.path.join(os.environ["CAMBRIAN_OUT"], "metrics.json"), "w") as out:
    json.dump(report, out)
