"""The judge's report, $CAMBRIAN_OUT/metrics.json: {"metrics": {...},
"feedback": "..."}. Only the judge writes it, once, at the end.

Metric names are identifiers ([A-Za-z_][A-Za-z0-9_]*), values finite
numbers (bool becomes 0/1); feedback is cut to MAX_FEEDBACK characters. The
file is written to a temporary name in the same directory and renamed, so a
reader never sees half a report. finish() then ends the process at once.
"""
import json
import math
import numbers
import os
import re
import sys

MAX_FEEDBACK = 4000
MAX_METRICS = 256
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def checked_metrics(metrics):
    """A plain {name: int or float} copy of `metrics`. Raises ValueError on a
    bad name or a value that is not a finite number: a judge bug."""
    if len(metrics) > MAX_METRICS:
        raise ValueError(f"{len(metrics)} metrics, at most {MAX_METRICS}")
    clean = {}
    for name, value in metrics.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"metric name {name!r} is not an identifier")
        if isinstance(value, bool):
            value = int(value)
        if not isinstance(value, numbers.Real):
            raise ValueError(f"metric {name} = {value!r} is not a number")
        if isinstance(value, numbers.Integral):
            clean[name] = int(value)
            continue
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"metric {name} = {value!r} is not finite")
        clean[name] = number
    return clean


def bounded_feedback(feedback):
    text = str(feedback)
    return text if len(text) <= MAX_FEEDBACK else text[: MAX_FEEDBACK - 3] + "..."


def write(metrics, feedback="", out_dir=None):
    """Writes the report into `out_dir` (default $CAMBRIAN_OUT) and returns
    its path. Raises ValueError on bad metrics, OSError if it cannot write."""
    out_dir = out_dir or os.environ.get("CAMBRIAN_OUT")
    if not out_dir:
        raise ValueError("no CAMBRIAN_OUT to write the report into")
    document = {"metrics": checked_metrics(metrics), "feedback": bounded_feedback(feedback)}
    text = json.dumps(document, sort_keys=True, allow_nan=False)
    final = os.path.join(out_dir, "metrics.json")
    temp = os.path.join(out_dir, f".metrics.json.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.rename(temp, final)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    return final


def finish(metrics, feedback="", out_dir=None, status=0):
    """Writes the report, prints the metrics on stdout, and ends the process
    with `status` at once (os._exit: no handler runs after the write). A
    report that cannot be written ends the process with status 3."""
    try:
        write(metrics, feedback, out_dir)
        print(json.dumps(checked_metrics(metrics), sort_keys=True), flush=True)
        if feedback:
            print(bounded_feedback(feedback), flush=True)
    except (ValueError, OSError) as error:
        print(f"judge: cannot write the report: {error}", file=sys.stderr, flush=True)
        status = 3
    sys.stderr.flush()
    os._exit(status)
