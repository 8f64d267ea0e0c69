"""Measures fixed architectures at a profile's budget, on several seeds, the
way a Cambrian job would (one thread, the trusted driver, a fresh job dir).

  /usr/bin/python3 -B tasks/hybrid-lm/tools/reference.py [--profile demo]
      [--seeds 1,2,3] [--jobs 2] NAME=PATTERN[;KNOB=VALUE...] ...

PATTERN is a comma-separated list of mixers, e.g. "ssm,ssm,ssm,attn";
KNOB=VALUE sets another genome knob (LEARNING_RATE=0.005, FFN='"moe"'). Prints one line per run and a
summary per architecture (mean, sample standard deviation, tokens/s, params).
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

TASK = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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


def run(name, spec, seed, profile):
    job = tempfile.mkdtemp(prefix="hybrid-ref-")
    try:
        with open(os.path.join(job, "model.py"), "w") as f:
            f.write(genome_source(spec))
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CAMBRIAN_OUT": job,
               "CAMBRIAN_SEED": str(seed), "HYBRID_PROFILE": profile, "OMP_NUM_THREADS": "1",
               "OPENBLAS_NUM_THREADS": "1"}
        subprocess.run([sys.executable, "-B", os.path.join(TASK, "harness", "hybrid.py"), "train"],
                       cwd=job, env=env, check=True, stdout=subprocess.DEVNULL)
        metrics = json.load(open(os.path.join(job, "metrics.json")))["metrics"]
        print(f"{name:14s} seed {seed:3d}  val_bpb {metrics['val_bpb']:.4f}  "
              f"{metrics['tokens_per_s']:7.0f} tok/s  {metrics['train_seconds']:5.1f} s", flush=True)
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
    work = [(a.split("=", 1)[0], a.split("=", 1)[1], s, args.profile) for a in args.archs for s in seeds]
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda w: run(*w), work))
    print(f"\n{'architecture':14s} {'val_bpb mean':>12s} {'sd':>7s} {'min':>7s} {'max':>7s} "
          f"{'tok/s':>7s} {'params':>8s} {'active':>8s}")
    for arch in dict.fromkeys(w[0] for w in work):
        ms = [m for n, m in results if n == arch]
        bpb = [m["val_bpb"] for m in ms]
        sd = statistics.stdev(bpb) if len(bpb) > 1 else float("nan")
        print(f"{arch:14s} {statistics.mean(bpb):12.4f} {sd:7.4f} {min(bpb):7.4f} {max(bpb):7.4f} "
              f"{statistics.mean(m['tokens_per_s'] for m in ms):7.0f} {ms[0]['params']:8d} "
              f"{ms[0]['active_params']:8d}")


if __name__ == "__main__":
    main()
