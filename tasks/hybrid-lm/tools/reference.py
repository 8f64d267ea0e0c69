"""Measures fixed architectures at a profile's budget, on several seeds, the
way a Cambrian evaluation would: the train stage's judge and worker commands
from task.toml, connected by kernels/tools/judge_pair.py (no sandbox), one
thread each, a fresh job dir, the task's [trusted] setup (the alphabet's
key) run once into a fresh directory that only the judge is told of.

  /usr/bin/python3 -B tasks/hybrid-lm/tools/reference.py [--profile demo]
      [--seeds 1,2,3] [--jobs 2] NAME=PATTERN[;KNOB=VALUE...] ...

PATTERN is a comma-separated list of mixers, e.g. "ssm,ssm,ssm,attn";
KNOB=VALUE sets another genome knob (LEARNING_RATE=0.005, FFN='"moe"'). Prints one line per run and a
summary per architecture (mean, sample standard deviation, tokens/s, params).
"""
import argparse
import json
import shlex
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import tomllib
from concurrent.futures import ThreadPoolExecutor

TASK = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAIR = os.path.join(TASK, "..", "..", "kernels", "tools", "judge_pair.py")


def task_toml():
    with open(os.path.join(TASK, "task.toml"), "rb") as f:
        return tomllib.load(f)


def train_stage():
    return next(s for s in task_toml()["stages"] if s["name"] == "train")


def run_setup():
    """The task's [trusted] setup in a fresh directory (removed at exit)."""
    setup = tempfile.TemporaryDirectory(prefix="hybrid-setup-")
    subprocess.run(["/bin/sh", "-c", task_toml()["trusted"]["setup"]], cwd=setup.name, check=True,
                   env={**os.environ, "CAMBRIAN_SETUP_DIR": setup.name})
    return setup


def genome_source(spec):
    text = open(os.path.join(TASK, "program", "model.py")).read()
    parts = spec.split(";")
    pattern = ", ".join(f'"{t}"' for t in parts[0].split(","))
    text = re.sub(r"^PATTERN = \[[^\]]*\]", f"PATTERN = [{pattern}]", text, count=1, flags=re.M)
    for item in parts[1:]:
        key, value = item.split("=", 1)
        text, n = re.subn(rf"^{key} = [^ ]+", f"{key} = {value}", text, count=1, flags=re.M)
        if n != 1:
            sys.exit(f"no knob {key}")
    return text


def run(name, spec, seed, profile, setup):
    job = tempfile.mkdtemp(prefix="hybrid-ref-")
    try:
        with open(os.path.join(job, "model.py"), "w") as f:
            f.write(genome_source(spec))
        stage = train_stage()
        subprocess.run([sys.executable, PAIR, "--cwd", job, "--out", job, "--seed", str(seed),
                        "--env", f"HYBRID_PROFILE={profile}",
                        "--env", f"CAMBRIAN_TRUSTED={os.path.join(TASK, 'harness')}",
                        "--", f"CAMBRIAN_SETUP_DIR={shlex.quote(setup)} {stage['judge']}", "--",
                        stage["run"]],
                       check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(job, "metrics.json")) as f:
            metrics = json.load(f)["metrics"]
        if "val_bpb" not in metrics or not metrics.get("causal"):
            sys.exit(f"{name} seed {seed}: no score: {metrics}")
        print(f"{name:14s} seed {seed:3d}  val_bpb {metrics['val_bpb']:.4f}  "
              f"{metrics['tokens_per_s']:7.0f} tok/s  {metrics['train_seconds']:5.1f} s train  "
              f"{metrics['eval_seconds']:4.1f} s eval", flush=True)
        return name, metrics
    finally:
        shutil.rmtree(job, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", default="demo")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("archs", nargs="+")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    setup = run_setup()
    work = [(a.split("=", 1)[0], a.split("=", 1)[1], s, args.profile, setup.name)
            for a in args.archs for s in seeds]
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda w: run(*w), work))
    print(f"\n{'architecture':14s} {'val_bpb mean':>12s} {'sd':>7s} {'min':>7s} {'max':>7s} "
          f"{'tok/s':>7s} {'params':>8s} {'active':>8s}")
    for arch in dict.fromkeys(w[0] for w in work):
        ms = [m for n, m in results if n == arch]
        bpb = [m["val_bpb"] for m in ms]
        sd = statistics.stdev(bpb) if len(bpb) > 1 else float("nan")
        print(f"{arch:14s} {statistics.mean(bpb):12.4f} {sd:7.4f} {min(bpb):7.4f} {max(bpb):7.4f} "
              f"{statistics.mean(m['tokens_per_s'] for m in ms):7.0f} {int(ms[0]['params']):8d} "
              f"{int(ms[0]['active_params']):8d}")


if __name__ == "__main__":
    main()
