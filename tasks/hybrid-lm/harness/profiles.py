"""The hybrid-lm profiles, read by the judge (budgets, validation, deadlines)
and by the worker (the model's width and device). The candidate can read
this file but not change it; a worker can still ignore it (build a wider
model), which is why parameter counts are reported as declared.

  context      T: bytes a training window predicts, and the longest prefix
               a validation row holds
  batch, steps training windows per step, and steps: the token budget is
               steps x batch x context, sent by the judge
  val_rows     validation prefixes scored (one byte each)
  val_lengths  how many distinct prefix lengths (evenly spread over 1..T);
               the rows of one length go to the worker together, in calls
               of at most eval_batch rows
  probes       causality probes mixed among the validation calls (train)
  call_s       deadline of one call; hello_s of the worker's HELLO
  hello_cpu_s  the most CPU the worker may spend before HELLO (imports,
               warm-up, building the model); more fails the stage
               (README.md, "Compute before HELLO")
"""
import os
import sys

PROFILES = {
    "smoke": dict(width_mult=0.5, device="cpu", max_params=2_000_000, context=64, batch=4, steps=24,
                  val_rows=256, val_lengths=16, eval_batch=16, probes=16, call_s=20, hello_s=120,
                  hello_cpu_s=5),
    "demo": dict(width_mult=1.0, device="cpu", max_params=4_000_000, context=128, batch=16, steps=220,
                 val_rows=4096, val_lengths=128, eval_batch=32, probes=64, call_s=60, hello_s=120,
                 hello_cpu_s=5),
    "gpu": dict(width_mult=6.0, device="cuda", max_params=200_000_000, context=1024, batch=16,
                steps=1200, val_rows=512, val_lengths=32, eval_batch=16, probes=32, call_s=300,
                hello_s=600, hello_cpu_s=60),
}
# Training recipe (the worker's; see worker.py).
WARMUP_FRACTION = 0.1
FINAL_LR_FRACTION = 0.1
WEIGHT_DECAY = 0.1
AUX_LOSS_WEIGHT = 0.01
LR_BOUNDS = (1e-5, 0.1)
MIXERS = ("attn", "linattn", "delta", "ssm", "conv")

# CALL operations (kernels/PROTOCOL.md: op and arg[0..6]).
#   TRAIN: arg = (rows, context, step, steps). Input: rows x (context + 1)
#          bytes, each a window whose byte i + 1 is the target of position i.
#          Output: none. DONE declares "loss" (mean cross-entropy, nats).
#   EVAL:  arg = (rows, length). Input: rows x length bytes. Output: float32
#          logits [rows, length, 256], row-major, at offset 0.
TRAIN, EVAL = 1, 2


def selected(name=None):
    """(name, profile) from `name`, or $HYBRID_PROFILE (default demo)."""
    name = name or os.environ.get("HYBRID_PROFILE") or "demo"
    if name not in PROFILES:
        sys.exit(f"hybrid-lm: unknown profile {name!r} (expected one of {', '.join(PROFILES)})")
    return name, PROFILES[name]


def buffer_sizes(profile):
    """(input bytes, output bytes) that fit every call of `profile`."""
    rows = max(profile["batch"], profile["eval_batch"])
    t = profile["context"]
    return rows * (t + 1), profile["eval_batch"] * t * 256 * 4
