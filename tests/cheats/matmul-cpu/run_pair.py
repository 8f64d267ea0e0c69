#!/usr/bin/env python3
"""Runs the planted matmul-cpu cheats (cases.txt) the way a Cambrian
evaluation would, without Cambrian: the task's [trusted] setup builds the
judge once; per case, the build stage compiles <case>.cpp as matmul.cpp in a
fresh job directory, then the check and bench stages run through
kernels/tools/judge_pair.py with the stage's judge and worker commands (with
--cpu, a cgroup CPU meter, when run as root), the worker under bubblewrap
with its own PID, IPC, network and cgroup namespaces, a read-only system and
a private /tmp (as Cambrian's bwrap sandbox; --sandbox none runs it bare,
which is what `cambrian run --sandbox process` offers). Outcomes follow the
evaluator's rules (a failed pass_if is runtime_error when the worker had died
with a non-zero status, wrong_answer otherwise) (see tests/cheats/hybrid-lm/run_pair.py, whose helpers
this reuses). `honest` means ok with a speedup no better than the seed's
(the best of three runs) times 1 + the task's tolerance (every
honest-looking case wraps the seed's naive kernel). Prints a table; exits 1 if any case differs from cases.txt.

  run_pair.py [--seed 1] [--sandbox auto|bwrap|none] [CASE ...]
"""
import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
TASK = os.path.join(ROOT, "tasks", "matmul-cpu")
KERNELS = os.path.join(ROOT, "kernels")
PAIR = os.path.join(KERNELS, "tools", "judge_pair.py")

_spec = importlib.util.spec_from_file_location(
    "hybrid_run_pair", os.path.join(HERE, "..", "hybrid-lm", "run_pair.py"))
common = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(common)


def shell(command, cwd, env, timeout):
    """(status, output) of /bin/sh -c command; status 124 past the timeout."""
    try:
        done = subprocess.run(["/bin/sh", "-c", command], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=timeout)
        return done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired:
        return 124, "past the timeout"


class Runner:
    def __init__(self, args):
        with open(os.path.join(TASK, "task.toml"), "rb") as f:
            self.task = tomllib.load(f)
        self.args = args
        self.setup = tempfile.mkdtemp(prefix="matmul-setup-")
        self.env = {**os.environ, "CAMBRIAN_TRUSTED": os.path.join(TASK, "harness"),
                    "CAMBRIAN_KERNELS": KERNELS, "CAMBRIAN_SETUP_DIR": self.setup}
        status, output = shell(self.task["trusted"]["setup"], self.setup, self.env, 600)
        if status != 0:
            sys.exit(f"the task's setup failed ({status}): {output[-2000:]}")

    def stage(self, spec, job, case):
        """(judge status, report or None, stderr tail, worker status or None)
        of a judged stage; the worker's status is None when it was still
        running at the end (judge_pair then kills it, as Cambrian does)."""
        out = tempfile.mkdtemp(prefix="cheat-out-")
        status_file = os.path.join(job, ".worker_status")
        try:
            run = f"{spec['run']}; echo $? > {status_file}"
            worker = run if self.args.sandbox == "none" else common.sandboxed(run, job, [])
            command = [sys.executable, PAIR, "--cwd", job, "--out", out, "--seed", str(self.args.seed),
                       "--timeout", str(common.seconds(spec["timeout"]))]
            if os.geteuid() == 0:
                command.append("--cpu")
            for name in ("CAMBRIAN_TRUSTED", "CAMBRIAN_SETUP_DIR"):
                command += ["--env", f"{name}={self.env[name]}"]
            command += ["--env", f"CAMBRIAN_STAGE={spec['name']}", "--env", f"CAMBRIAN_JOB_DIR={job}"]
            pair = subprocess.run(command + ["--", spec["judge"], "--", worker], capture_output=True,
                                  text=True, env=self.env)
            report = os.path.join(out, "metrics.json")
            parsed = None
            if os.path.exists(report):
                with open(report) as f:
                    try:
                        parsed = json.load(f)
                    except json.JSONDecodeError:  # the evaluator: wrong_answer
                        parsed = {"metrics": {}, "feedback": "metrics.json does not parse"}
            worker_status = None
            if os.path.exists(status_file):
                with open(status_file) as f:
                    worker_status = int(f.read().strip() or 0)
                os.unlink(status_file)
            return pair.returncode, parsed, pair.stderr[-2000:], worker_status
        finally:
            shutil.rmtree(out, ignore_errors=True)

    def run(self, case):
        """(outcome, metrics, feedback) of one case ("seed": the task's seed)."""
        job = tempfile.mkdtemp(prefix=f"cheat-{case}-")
        os.chmod(job, 0o755)
        try:
            source = os.path.join(TASK, "program", "matmul.cpp") if case == "seed" else \
                os.path.join(HERE, f"{case}.cpp")
            shutil.copy(source, os.path.join(job, "matmul.cpp"))
            metrics, feedback = {}, ""
            for spec in self.task["stages"]:
                if "judge" not in spec:
                    status, output = shell(spec["run"], job, self.env, common.seconds(spec["timeout"]))
                    if status != 0:
                        return "build_error", metrics, output[-300:]
                    continue
                status, report, stderr, worker_status = self.stage(spec, job, case)
                if status == 124:
                    return "timeout", metrics, f"{spec['name']}: past the stage timeout"
                if status != 0 or report is None:
                    return "runtime_error", metrics, f"{spec['name']}: judge status {status}; {stderr[-300:]}"
                metrics.update(report["metrics"])
                feedback = report.get("feedback", "")
                if not common.evaluate(spec["pass_if"], metrics):
                    # The evaluator: a worker that died on its own made the judge fail.
                    crashed = worker_status not in (None, 0)
                    return ("runtime_error" if crashed else "wrong_answer"), metrics, \
                        f"{spec['name']}: {feedback}"
            plausible = self.task["fitness"].get("plausible_if")
            if plausible and not common.evaluate(plausible, metrics):
                return "implausible", metrics, feedback
            return "ok", metrics, feedback
        finally:
            shutil.rmtree(job, ignore_errors=True)


def agrees(expected, outcome, speedup, seed_speedup, tolerance):
    if expected == "not_ok":
        return outcome != "ok"
    if expected == "honest":
        return outcome == "ok" and speedup is not None and speedup <= seed_speedup * (1 + tolerance)
    return outcome == expected


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sandbox", choices=["auto", "bwrap", "none"], default="auto",
                        help="auto: bwrap, or skip (exit 0, said) where bubblewrap does not work")
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()
    if args.sandbox == "auto":
        if not common.bwrap_works():
            print("SKIP: bubblewrap does not work here; the cases' expectations assume it "
                  "(run with --sandbox none to see them bare)")
            return
        args.sandbox = "bwrap"
    runner = Runner(args)
    try:
        cases = [c for c in read_cases() if not args.cases or c[0] in args.cases]
        seed_speedup = 0
        for _ in range(3):  # the best of three: one run under load can read low
            outcome, metrics, feedback = runner.run("seed")
            if outcome != "ok":
                sys.exit(f"the seed itself ends {outcome}: {feedback}")
            seed_speedup = max(seed_speedup, metrics["speedup"])
        tolerance = runner.task["fitness"]["tolerance"]
        print(f"seed: ok, speedup {seed_speedup:.4f}, gflops {metrics['gflops']:.3f}, "
              f"cpu_accounted {metrics.get('cpu_accounted')} (sandbox {args.sandbox})")
        print(f"{'case':20s} {'expected':13s} {'observed':13s} {'speedup':>8s}  feedback")
        failed = 0
        for name, expected, _ in cases:
            outcome, metrics, feedback = runner.run(name)
            speedup = metrics.get("speedup") if outcome == "ok" else None
            good = agrees(expected, outcome, speedup, seed_speedup, tolerance)
            failed += not good
            shown = f"{speedup:8.4f}" if speedup is not None else f"{'-':>8s}"
            print(f"{name:20s} {expected:13s} {outcome:13s} {shown}  {'' if good else 'MISMATCH '}"
                  f"{feedback[:150]}", flush=True)
    finally:
        shutil.rmtree(runner.setup, ignore_errors=True)
    sys.exit(1 if failed else 0)


def read_cases():
    cases = []
    with open(os.path.join(HERE, "cases.txt")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                name, expected, what = line.rstrip("\n").split("|", 2)
                cases.append((name, expected, what))
    return cases


if __name__ == "__main__":
    main()
