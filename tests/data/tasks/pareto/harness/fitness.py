"""The task's fitness program: every stage's metrics in ($CAMBRIAN_METRICS),
the objectives' metrics out ($CAMBRIAN_OUT/metrics.json)."""
import json
import os

metrics = json.load(open(os.environ["CAMBRIAN_METRICS"]))["metrics"]
x, y = metrics["x"], metrics["y"]
report = {"metrics": {"quality": x + y, "cost": x * x + 2 * y * y}}
with open(os.path.join(os.environ["CAMBRIAN_OUT"], "metrics.json"), "w") as out:
    json.dump(report, out)
