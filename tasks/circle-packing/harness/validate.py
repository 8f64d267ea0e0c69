"""The trusted validator of tasks/circle-packing: a judge-only stage.

Reads the candidate's circles.json from $CAMBRIAN_JOB_DIR (read-only to it),
checks it from the numbers alone and writes the report to $CAMBRIAN_OUT:
  {"metrics": {"valid": 1, "n": N, "sum_radii": S, "min_gap": G}, "feedback": ...}
valid is 0, with the first reason in the feedback, unless:
  - the file is a regular file of at most 64 KiB of JSON: an object with
    "centres" (N pairs) and "radii" (N numbers), nothing else;
  - every number is a finite float (no NaN, no infinity, no bool);
  - every radius is > 0 and every circle lies in the unit square;
  - no two circles overlap: |c_i - c_j| >= r_i + r_j for every pair.
Exactly N = $CIRCLES_N circles. Whatever the program printed, wrote
elsewhere or claimed is never read. Containment and overlap are checked
exactly in floating point, with no tolerance: a solution that needs one
must shrink its radii.
"""

import json
import math
import os
import stat
import sys

MAX_BYTES = 64 << 10


def fail(why):
    raise ValueError(why)


def load(path):
    try:
        # Non-blocking, so a FIFO in its place cannot hold the open; it is
        # then refused as not a regular file.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        fail(f"cannot open circles.json ({error.strerror}); construct() must write it")
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            fail("circles.json is not a regular file")
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        fail(f"circles.json is larger than {MAX_BYTES} bytes")
    try:
        return json.loads(data.decode("utf-8"), parse_constant=lambda c: fail(f"{c} in circles.json"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        fail(f"circles.json is not JSON: {error}")


def number(value, what):
    if type(value) not in (int, float) or not math.isfinite(value):
        fail(f"{what} is {json.dumps(value)[:40]}, not a finite number")
    return float(value)


def parse(doc, n):
    if not isinstance(doc, dict) or set(doc) != {"centres", "radii"}:
        fail('circles.json must be an object with exactly "centres" and "radii"')
    centres, radii = doc["centres"], doc["radii"]
    if not isinstance(centres, list) or not isinstance(radii, list):
        fail('"centres" and "radii" must be lists')
    if len(centres) != n or len(radii) != n:
        fail(f"{len(centres)} centres and {len(radii)} radii; the task is {n} circles")
    points = []
    for i, c in enumerate(centres):
        if not isinstance(c, list) or len(c) != 2:
            fail(f"centre {i} is not a pair [x, y]")
        points.append((number(c[0], f"centre {i} x"), number(c[1], f"centre {i} y")))
    return points, [number(r, f"radius {i}") for i, r in enumerate(radii)]


def check(points, radii):
    """The smallest slack over every constraint (>= 0 when valid)."""
    gap = math.inf
    for i, ((x, y), r) in enumerate(zip(points, radii)):
        if not r > 0:
            fail(f"radius {i} is {r}, not positive")
        for side in (x - r, y - r, 1 - x - r, 1 - y - r):
            if side < 0:
                fail(f"circle {i} (centre {x:.6g}, {y:.6g}, radius {r:.6g}) leaves the square")
            gap = min(gap, side)
    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            slack = math.dist(points[i], points[j]) - radii[i] - radii[j]
            if slack < 0:
                fail(f"circles {i} and {j} overlap by {-slack:.3g}")
            gap = min(gap, slack)
    return gap


def main():
    n = int(os.environ.get("CIRCLES_N", "26"))
    out = os.environ["CAMBRIAN_OUT"]
    path = os.path.join(os.environ["CAMBRIAN_JOB_DIR"], "circles.json")
    metrics = {"valid": 0, "n": n, "sum_radii": 0.0, "min_gap": 0.0}
    feedback = ""
    try:
        points, radii = parse(load(path), n)
        gap = check(points, radii)
        metrics.update(valid=1, sum_radii=math.fsum(radii), min_gap=gap)
        feedback = f"valid: {n} circles, sum of radii {math.fsum(radii):.9f}"
    except ValueError as error:
        feedback = f"invalid packing: {error}"
    with open(os.path.join(out, "metrics.json"), "w") as report:
        json.dump({"metrics": metrics, "feedback": feedback}, report)


if __name__ == "__main__":
    sys.exit(main())
