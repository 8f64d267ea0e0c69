#!/usr/bin/env python3
"""Runs the planted hybrid-lm cheats (cases.txt) the way a Cambrian
evaluation would, without Cambrian: each case file is a complete model.py
(the current seed followed by one cheat; refresh.py rebuilds them after the
seed changes); both stages of tasks/hybrid-lm/task.toml
run through kernels/tools/judge_pair.py with the stage's judge and worker
commands, the worker under bubblewrap with the task's [trusted] hidden paths
masked, its own PID, IPC and network namespaces and a private /tmp (as
Cambrian's bwrap sandbox does; --sandbox none runs it bare, which is what
`cambrian run --sandbox process` would offer), in a cgroup whose CPU meter
the judge reads where this runs as root (judge_pair.py --cpu; elsewhere the
judge has its clock only). The task's [trusted] setup
(the alphabet's key) runs once into a fresh directory under /tmp, which only
the judge is told of (the worker's /tmp is its own). The outcome follows the
evaluator's rules: a judge that does not exit 0 is runtime_error, past the
stage timeout timeout, a failed pass_if wrong_answer (runtime_error when the
judge's verdict says the worker sent FAIL, since such a worker exits 1), a
failed plausible_if implausible, else ok. Prints a table and exits 1 if any case differs from
cases.txt.

  run_pair.py [--profile smoke] [--seed 1] [--sandbox auto|bwrap|none] [CASE ...]
"""
import argparse
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refresh  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
TASK = os.path.join(ROOT, "tasks", "hybrid-lm")
PAIR = os.path.join(ROOT, "kernels", "tools", "judge_pair.py")
VERDICT_WORKER_FAILED = 4  # harness/judge.py's VERDICTS["worker_failed"]


def seconds(text):
    value, unit = re.fullmatch(r"(\d+)(s|m)", text).groups()
    return int(value) * (60 if unit == "m" else 1)


def evaluate(expression, metrics):
    """A pass_if / plausible_if expression (&&, ||, comparisons) over metrics;
    False when it needs a metric nobody reported."""
    python = expression.replace("&&", " and ").replace("||", " or ")
    try:
        return bool(eval(python, {"__builtins__": {}}, dict(metrics)))
    except NameError:
        return False


def hidden_args(patterns):
    args, seen = [], set()
    for pattern in patterns:
        for path in sorted(glob.glob(pattern)):
            real = os.path.realpath(path)
            if real in seen:
                continue
            seen.add(real)
            args += ["--tmpfs", real] if os.path.isdir(real) else ["--ro-bind", "/dev/null", real]
    return args


def sandboxed(command, job, hidden):
    """`command` under bubblewrap as a worker job: read-only system, its job
    directory writable, a private /tmp, hidden paths masked, no network."""
    # The checkout again after the private /tmp, in case it lives under /tmp.
    args = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
            "--ro-bind", ROOT, ROOT, "--bind", job, job, "--chdir", job, "--unshare-all", "--die-with-parent", "--new-session",
            *hidden, "--", "/bin/sh", "-c", command]
    return " ".join(shlex.quote(a) for a in args)


def run_setup(task):
    """Runs the task's [trusted] setup in a fresh directory, as Cambrian does
    once per session; returns the directory (a TemporaryDirectory: it goes
    when the object does)."""
    setup = tempfile.TemporaryDirectory(prefix="hybrid-setup-")
    subprocess.run(["/bin/sh", "-c", task["trusted"]["setup"]], cwd=setup.name, check=True,
                   env={**os.environ, "CAMBRIAN_SETUP_DIR": setup.name})
    return setup


def cpu_meter_works():
    """True if judge_pair.py --cpu can give the judge the worker's CPU
    meter, as Cambrian does (root and a writable cgroup hierarchy)."""
    if os.geteuid() != 0:
        return False
    for parent in ("/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup"):
        probe = os.path.join(parent, f"cambrian-pair-probe-{os.getpid()}")
        try:
            os.mkdir(probe)
            os.rmdir(probe)
            return True
        except OSError:
            continue
    return False


def bwrap_works():
    try:
        probe = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all", "true"]
        return subprocess.run(probe, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class Runner:
    def __init__(self, args):
        with open(os.path.join(TASK, "task.toml"), "rb") as f:
            self.task = tomllib.load(f)
        self.args = args
        profile = self.task["profiles"][args.profile]
        self.env = dict(profile.get("env", {}))
        self.timeouts = profile.get("timeouts", {})
        self.hidden = hidden_args(self.task["trusted"].get("hidden", [])) if args.sandbox == "bwrap" else None
        with open(os.path.join(TASK, "program", "model.py")) as f:
            self.seed_source = f.read()
        self.setup = run_setup(self.task)
        self.cpu = ["--cpu"] if cpu_meter_works() else []

    def stage(self, spec, job, case):
        out = tempfile.mkdtemp(prefix="cheat-out-")
        try:
            timeout = seconds(self.timeouts.get(spec["name"], spec["timeout"]))
            worker = spec["run"] if self.hidden is None else sandboxed(spec["run"], job, self.hidden)
            env = {**self.env, "CAMBRIAN_TRUSTED": os.path.join(TASK, "harness"),
                   "CAMBRIAN_STAGE": spec["name"], "CAMBRIAN_CANDIDATE": case,
                   "CAMBRIAN_JOB_DIR": job, "HOME": job}
            command = [sys.executable, PAIR, "--cwd", job, "--out", out, "--seed", str(self.args.seed),
                       "--timeout", str(timeout), *self.cpu]
            for name, value in env.items():
                command += ["--env", f"{name}={value}"]
            # The setup directory in the judge's command, not in --env: that would reach the worker.
            judge = f"CAMBRIAN_SETUP_DIR={shlex.quote(self.setup.name)} {spec['judge']}"
            pair = subprocess.run(command + ["--", judge, "--", worker], capture_output=True, text=True)
            report = os.path.join(out, "metrics.json")
            if os.path.exists(report):
                with open(report) as f:
                    parsed = json.load(f)
            else:
                parsed = None
            return pair.returncode, parsed, pair.stderr[-2000:]
        finally:
            shutil.rmtree(out, ignore_errors=True)

    def run(self, case):
        """(outcome, metrics, feedback) of one case ("seed": the seed itself)."""
        job = tempfile.mkdtemp(prefix=f"cheat-{case}-")
        os.chmod(job, 0o755)
        try:
            source = self.seed_source
            if case != "seed":
                with open(os.path.join(HERE, f"{case}.py")) as f:
                    source = f.read()
                if source != refresh.complete(os.path.join(HERE, f"{case}.py"), self.seed_source):
                    sys.exit(f"{case}.py is not the current seed followed by its cheat: run refresh.py")
            with open(os.path.join(job, "model.py"), "w") as f:
                f.write(source)
            metrics, feedback = {}, ""
            for spec in self.task["stages"]:
                status, report, stderr = self.stage(spec, job, case)
                if status == 124:
                    return "timeout", metrics, f"{spec['name']}: past the stage timeout"
                if status != 0 or report is None:
                    return "runtime_error", metrics, f"{spec['name']}: judge status {status}; {stderr[-300:]}"
                metrics.update(report["metrics"])
                feedback = report.get("feedback", "")
                if not evaluate(spec["pass_if"], metrics):
                    # A worker that sent FAIL exits 1: the evaluator calls that a runtime error.
                    failed = metrics.get("verdict") == VERDICT_WORKER_FAILED
                    outcome = "runtime_error" if failed else "wrong_answer"
                    return outcome, metrics, f"{spec['name']}: {feedback}"
            plausible = self.task["fitness"].get("plausible_if")
            if plausible and not evaluate(plausible, metrics):
                return "implausible", metrics, feedback
            return "ok", metrics, feedback
        finally:
            shutil.rmtree(job, ignore_errors=True)


def read_cases():
    cases = []
    with open(os.path.join(HERE, "cases.txt")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                name, expected, what = line.rstrip("\n").split("|", 2)
                cases.append((name, expected, what))
    return cases


def agrees(expected, outcome, bpb, honest_bpb, noise):
    if expected == "not_ok":
        return outcome != "ok"
    if expected == "honest":
        return outcome == "ok" and bpb is not None and bpb >= honest_bpb - 2 * noise
    return outcome == expected


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="smoke")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sandbox", choices=["auto", "bwrap", "none"], default="auto",
                        help="auto: bwrap, or skip (exit 0, said) where bubblewrap does not work")
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()
    if args.sandbox == "auto":
        if not bwrap_works():
            print("SKIP: bubblewrap does not work here; the cases' expectations assume it "
                  "(run with --sandbox none to see them bare)")
            return
        args.sandbox = "bwrap"
    runner = Runner(args)
    cases = [c for c in read_cases() if not args.cases or c[0] in args.cases]
    outcome, metrics, _ = runner.run("seed")
    if outcome != "ok":
        sys.exit(f"the seed itself ends {outcome}: nothing to compare the cheats with")
    honest = metrics["val_bpb"]
    # val_bpb's noise: the task's first objective (the fitness table's, in
    # a task with a single fitness).
    objectives = runner.task.get("objectives") or [runner.task["fitness"]]
    noise = objectives[0]["noise"]
    print(f"seed: ok, val_bpb {honest:.4f} (profile {args.profile}, seed {args.seed}, "
          f"sandbox {args.sandbox})")
    print(f"{'case':20s} {'expected':13s} {'observed':13s} {'val_bpb':>8s}  feedback")
    failed = 0
    for name, expected, _ in cases:
        outcome, metrics, feedback = runner.run(name)
        bpb = metrics.get("val_bpb") if outcome == "ok" else None
        good = agrees(expected, outcome, bpb, honest, noise)
        failed += not good
        shown = f"{bpb:8.4f}" if bpb is not None else f"{'-':>8s}"
        print(f"{name:20s} {expected:13s} {outcome:13s} {shown}  {'' if good else 'MISMATCH '}"
              f"{feedback[:150]}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
