#!/usr/bin/env python3
"""Run one search command and measure its controller (standard library, Linux /proc).

  measure.py --out R.json [--eval-log F --kill-at N] -- COMMAND...

The command runs in its own session. Every 50 ms the wrapper reads, for the
command's own process (the controller):
  /proc/PID/stat    utime + stime: CPU of that process alone; children's time
                    (evaluators, worker processes) is not in these fields;
  /proc/PID/status  VmHWM: the kernel's peak-RSS mark of that process alone.
Every 200 ms it also sums the RSS of every process in the session (the
controller plus its workers and evaluators at that instant): tree_rss_peak.
At exit, wait4() gives the rusage of the whole tree that was reaped: tree_cpu.

With --kill-at N it watches --eval-log (one line per finished evaluation) and
sends SIGKILL to the controller, and only the controller, as soon as N lines are
there; it records how many lines there were at that instant, reaps it, then
kills what is left of the session (orphaned evaluators and workers).
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def own_cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14, 15)


def hwm_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def session_rss_kb(sid):
    total = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[3]) == sid:  # field 6: session id
                total += int(fields[21]) * PAGE_KB  # field 24: rss in pages
        except (OSError, IndexError, ValueError):
            pass
    return total


def count_lines(path):
    try:
        with open(path, "rb") as f:
            return f.read().count(b"\n")
    except OSError:
        return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--eval-log")
    parser.add_argument("--kill-at", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    start = time.monotonic()
    proc = subprocess.Popen(command, start_new_session=True)
    pid = proc.pid
    cpu, hwm, tree_peak, killed_at, timed_out = 0.0, 0, 0, None, False
    n = 0
    while True:
        try:
            cpu = own_cpu(pid)
            hwm = max(hwm, hwm_kb(pid))
        except (OSError, IndexError, ValueError):
            pass
        if n % 4 == 0:
            tree_peak = max(tree_peak, session_rss_kb(pid))
        n += 1
        if args.kill_at and count_lines(args.eval_log) >= args.kill_at:
            killed_at = count_lines(args.eval_log)
            os.kill(pid, signal.SIGKILL)
            break
        if time.monotonic() - start > args.timeout:
            timed_out = True
            os.kill(pid, signal.SIGKILL)
            break
        # A zombie (exited, not yet reaped) still has /proc/PID; stop at its exit.
        try:
            with open("/proc/%d/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    break
        except OSError:
            break
        time.sleep(0.05)
    _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - start
    time.sleep(0.2)
    try:
        os.killpg(pid, signal.SIGKILL)  # leftovers of a killed or crashed run
    except ProcessLookupError:
        pass
    result = {
        "command": command,
        "rc": os.waitstatus_to_exitcode(status),
        "wall_s": wall,
        "main_cpu_s": cpu,
        "tree_cpu_s": usage.ru_utime + usage.ru_stime,
        "main_rss_peak_kb": hwm,
        # A sampled sum can miss a short run's peak; it is never below the controller's own.
        "tree_rss_peak_kb": max(tree_peak, hwm),
        "evals_logged": count_lines(args.eval_log) if args.eval_log else None,
        "killed_at_evals": killed_at,
        "timed_out": timed_out,
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
