#!/usr/bin/env python3
"""Runs a judge and a worker connected as Cambrian connects them (see
kernels/PROTOCOL.md), without Cambrian and without a sandbox: for task
authors writing a judge, and for the kernels library's own tests.

  judge_pair.py [--cwd DIR] [--out DIR] [--seed N] [--timeout S] [--cpu]
                [--env NAME=VALUE ...] -- JUDGE_COMMAND -- WORKER_COMMAND

Both commands run with /bin/sh -c in --cwd (default: the current directory);
the judge gets CAMBRIAN_WORKER_FD, CAMBRIAN_OUT (--out, default a fresh
temporary directory) and, with --cpu, CAMBRIAN_WORKER_CPU_FD/_FORMAT for a
cgroup made for the worker (root only: cgroup v1 cpuacct or v2). The worker
gets CAMBRIAN_JUDGE_FD. Both get CAMBRIAN_SEED, CAMBRIAN_KERNELS (this
directory's parent) and the --env variables. When the judge exits the worker
is killed. Prints the judge's metrics.json and exits with the judge's status.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

KERNELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_cgroup():
    """(cgroup directory, accounting file, format) for a fresh worker cgroup, or None."""
    name = f"cambrian-pair-{os.getpid()}"
    for parent, stat, fmt in (("/sys/fs/cgroup/cpuacct", "cpuacct.usage", "cpuacct.usage"),
                              ("/sys/fs/cgroup", "cpu.stat", "cpu.stat")):
        if not os.path.exists(os.path.join(parent, stat)):
            continue
        path = os.path.join(parent, name)
        try:
            os.mkdir(path)
        except OSError:
            continue
        return path, os.path.join(path, stat), fmt
    return None


def remove_cgroup(path):
    for _ in range(50):
        try:
            with open(os.path.join(path, "cgroup.procs")) as f:
                pids = [int(p) for p in f.read().split()]
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            os.rmdir(path)
            return
        except OSError:
            time.sleep(0.05)


def main():
    argv = sys.argv[1:]
    if argv.count("--") < 2:
        sys.exit(__doc__)
    first = argv.index("--")
    second = argv.index("--", first + 1)
    parser = argparse.ArgumentParser()
    parser.add_argument("--cwd", default=".")
    parser.add_argument("--out")
    parser.add_argument("--seed", default="1")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--cpu", action="store_true")
    parser.add_argument("--env", action="append", default=[])
    args = parser.parse_args(argv[:first])
    judge_cmd = " ".join(argv[first + 1:second])
    worker_cmd = " ".join(argv[second + 1:])

    out = args.out or tempfile.mkdtemp(prefix="judge-pair-")
    os.makedirs(out, exist_ok=True)
    base = dict(os.environ)
    base.update({"CAMBRIAN_SEED": args.seed, "CAMBRIAN_KERNELS": KERNELS})
    for item in args.env:
        name, _, value = item.partition("=")
        base[name] = value

    judge_sock, worker_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    cgroup = make_cgroup() if args.cpu else None
    if args.cpu and cgroup is None:
        sys.exit("judge_pair: --cpu needs root and cgroup v1 cpuacct or cgroup v2")

    def join_cgroup():
        if cgroup:
            with open(os.path.join(cgroup[0], "cgroup.procs"), "w") as f:
                f.write("0")

    worker_env = dict(base, CAMBRIAN_JUDGE_FD=str(worker_sock.fileno()))
    worker_env.pop("CAMBRIAN_OUT", None)
    worker = subprocess.Popen(["/bin/sh", "-c", worker_cmd], cwd=args.cwd, env=worker_env,
                              pass_fds=[worker_sock.fileno()], preexec_fn=join_cgroup,
                              start_new_session=True)
    worker_sock.close()
    judge_env = dict(base, CAMBRIAN_WORKER_FD=str(judge_sock.fileno()), CAMBRIAN_OUT=out)
    fds = [judge_sock.fileno()]
    cpu_fd = None
    if cgroup:
        cpu_fd = os.open(cgroup[1], os.O_RDONLY)
        judge_env.update(CAMBRIAN_WORKER_CPU_FD=str(cpu_fd), CAMBRIAN_WORKER_CPU_FORMAT=cgroup[2])
        fds.append(cpu_fd)
    try:
        # Its own session, as Cambrian's jobs are: with autogroup scheduling
        # the judge must not share a group with whatever runs in ours.
        judge = subprocess.run(["/bin/sh", "-c", judge_cmd], cwd=args.cwd, env=judge_env,
                               pass_fds=fds, timeout=args.timeout, start_new_session=True)
        status = judge.returncode
    except subprocess.TimeoutExpired:
        print(f"judge_pair: the judge ran past {args.timeout} s", file=sys.stderr)
        status = 124
    finally:
        judge_sock.close()
        try:
            os.killpg(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        worker.wait()
        if cpu_fd is not None:
            os.close(cpu_fd)
        if cgroup:
            remove_cgroup(cgroup[0])
    report = os.path.join(out, "metrics.json")
    if os.path.exists(report):
        with open(report) as f:
            print(json.dumps(json.load(f), indent=1, sort_keys=True))
    else:
        print("judge_pair: the judge wrote no metrics.json", file=sys.stderr)
    if not args.out:
        shutil.rmtree(out, ignore_errors=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
