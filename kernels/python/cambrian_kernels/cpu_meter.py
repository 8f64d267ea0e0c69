"""The worker CPU meter (kernels/PROTOCOL.md, "The worker CPU meter"): the
worker job's cgroup CPU accounting file, handed to the judge as
CAMBRIAN_WORKER_CPU_FD with its format in CAMBRIAN_WORKER_CPU_FORMAT. It
counts every thread and process of the worker's tree, reaped or not.
"""
import errno
import os
import re

from .faults import JUDGE, PEER_GONE, Fault

# Cambrian removes a job's cgroup when its main process exits; reads of the
# removed accounting file then fail with one of these: the worker is gone.
_GONE = (errno.ENODEV, errno.ENOENT, errno.ESTALE)

FORMATS = ("cpuacct.usage", "cpu.stat")
_USAGE_USEC = re.compile(rb"^usage_usec (\d+)$", re.M)


def parse_usage(text, fmt):
    """Cumulative CPU nanoseconds from an accounting file's bytes. Raises
    ValueError when the text is not in `fmt`."""
    if fmt == "cpuacct.usage":
        value = text.strip()
        if not value.isdigit():
            raise ValueError(f"cpuacct.usage reads {text[:40]!r}, expected a number")
        return int(value)
    if fmt == "cpu.stat":
        found = _USAGE_USEC.search(text)
        if not found:
            raise ValueError("cpu.stat has no 'usage_usec N' line")
        return int(found.group(1)) * 1000
    raise ValueError(f"unknown CPU meter format {fmt!r}")


class CpuMeter:
    """pread(fd, ..., 0) of the accounting file at every read."""

    def __init__(self, fd, fmt):
        if fmt not in FORMATS:
            raise ValueError(f"unknown CPU meter format {fmt!r}")
        self.fd, self.fmt = fd, fmt

    def read_ns(self):
        """Cumulative nanoseconds. Raises Fault(PEER_GONE) when the worker's job
        has ended (its cgroup removed), Fault(JUDGE) when the meter cannot be
        read otherwise: the machine promised one."""
        try:
            return parse_usage(os.pread(self.fd, 4096, 0), self.fmt)
        except OSError as error:
            if error.errno in _GONE:
                raise Fault(PEER_GONE, "the worker's job has ended (its CPU meter is gone)") from None
            raise Fault(JUDGE, f"worker CPU meter: {error}") from None
        except ValueError as error:
            raise Fault(JUDGE, f"worker CPU meter: {error}") from None


def from_env(environ=os.environ):
    """The meter this judge was given, or None when CAMBRIAN_WORKER_CPU_FD is
    unset (no cgroup: charge wall time only). Raises Fault(JUDGE) when it is
    set but unusable."""
    raw = environ.get("CAMBRIAN_WORKER_CPU_FD")
    if raw is None or raw == "":
        return None
    fmt = environ.get("CAMBRIAN_WORKER_CPU_FORMAT", "")
    if not raw.isdigit() or fmt not in FORMATS:
        raise Fault(JUDGE, f"CAMBRIAN_WORKER_CPU_FD={raw!r} with format {fmt!r} is unusable")
    meter = CpuMeter(int(raw), fmt)
    try:
        meter.read_ns()
    except Fault as fault:
        if fault.kind != PEER_GONE:  # a worker already gone shows on the socket too
            raise
    return meter
