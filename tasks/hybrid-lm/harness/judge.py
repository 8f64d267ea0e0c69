"""The hybrid-lm judge: trusted, in a sandbox of its own, never sharing a
process with the candidate's code (kernels/PROTOCOL.md). It owns the corpus
and its split, the token budget and the order of the training windows, the
validation rows and the bytes they are scored on, the loss, the causality
probes and the report; the worker (worker.py, in the candidate's process)
only ever sees training windows and validation prefixes.

  judge.py check   the worker's declarations, logits' shape and finiteness,
                   causality probes on random bytes
  judge.py train   train for the profile's budget, score validation, probe
                   causality among the validation calls, report

Profile from $HYBRID_PROFILE (default demo). $CAMBRIAN_SEED orders the
training windows (the worker seeds its initialisation with it), so runs on
other seeds measure the noise; the scored validation bytes never change.
Everything that must stay unpredictable to the worker (the order of the
validation calls, probe placement, cut points and filler) comes from
getrandom. Every byte sent goes through the secret alphabet P (alphabet.py:
from the key [trusted] setup wrote and the seed) and is scored in it; no key,
no run (exit 2). Report: $CAMBRIAN_OUT/metrics.json, written by this process
only.
"""
import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import alphabet  # noqa: E402
import corpus  # noqa: E402
import profiles  # noqa: E402
import scoring  # noqa: E402
from cambrian_kernels import declarations, report  # noqa: E402
from cambrian_kernels.faults import JUDGE, Fault  # noqa: E402
from cambrian_kernels.judge import Judge  # noqa: E402

# metric "verdict": how the exchange with the worker ended.
VERDICTS = {"ok": 0, "protocol": 1, "timeout": 2, "worker_gone": 3, "worker_failed": 4, "bad_output": 5}
CAUSAL_TOLERANCE = 1e-3  # relative change of the logits before the cut
CHECK_ROWS = 4  # rows per call in the check stage


def secret_rng():
    """A generator seeded from getrandom: nothing the worker can know."""
    return np.random.default_rng(int.from_bytes(os.getrandom(32), "little"))


def described(declared, profile):
    """Metrics and a note from the worker's HELLO declarations (its claims)."""
    try:
        numbers = {name: declarations.number(declared, name)
                   for name in ("params", "active_params", "layers", "attn_fraction", "learning_rate")}
    except declarations.DeclarationError as error:
        raise Fault("protocol", f"HELLO: {error}") from None
    missing = [name for name, value in numbers.items() if value is None]
    metrics = {name: value or 0.0 for name, value in numbers.items()}
    metrics["within_limits"] = int(not missing and 0 < metrics["params"] <= profile["max_params"])
    metrics["fs_locked"] = fs_locked(declared)
    note = (f"declared: pattern {declarations.find(declared, 'pattern') or '?'}; "
            f"{metrics['params']:.0f} parameters ({metrics['active_params']:.0f} active)")
    if not metrics["fs_locked"]:
        note += "; filesystem NOT locked (no Landlock here?): the model could read other text"
    if missing:
        note += f"; the worker declared no {', '.join(missing)}"
    elif not metrics["within_limits"]:
        note += f"; over the profile's limit of {profile['max_params']} parameters"
    return metrics, note


def fs_locked(declared):
    """1 if the worker declared that its filesystem lockdown holds. Reported,
    never trusted: worker.py locks the filesystem (Landlock) before it loads
    model.py, but HELLO is sent after model.py ran, so a model on a machine
    without Landlock could declare 1. Where Landlock exists the lock is what
    protects, whatever is declared; where it does not, this 0 is the only
    trace, and an honest one only if the model is honest. No pass_if reads it."""
    try:
        value = declarations.number(declared, "fs_locked")
    except declarations.DeclarationError as error:
        raise Fault("protocol", f"HELLO: {error}") from None
    return int(value == 1)


def check(judge, profile, perm):
    """Probes on random bytes (through P too, like every byte sent):
    CHECK_ROWS-row calls of full-length rows."""
    rng, t = secret_rng(), profile["context"]

    def noise(rng, size):
        return perm[rng.integers(0, 256, size, dtype=np.uint8)]

    calls = [scoring.EvalCall(noise(rng, (CHECK_ROWS, t)), np.full(CHECK_ROWS, -1, dtype=np.int64))
             for _ in range(2)]
    bases = [(i, r) for i in range(len(calls)) for r in range(CHECK_ROWS)]

    def pick_base(rng, length, used):
        free = [b for b in bases if b not in used]
        return free[rng.integers(len(free))]

    cuts = scoring.add_probes(calls, 2 * CHECK_ROWS, 2, CHECK_ROWS, pick_base, noise, rng)
    outcome = scoring.run_calls(judge, calls, rng.permutation(len(calls)), profile["call_s"])
    worst = scoring.worst_violation(outcome.kept, cuts)
    return {"causal": int(worst < CAUSAL_TOLERANCE), "causal_violation": worst}, len(cuts)


def train_windows(judge, data, profile, seed):
    """Sends steps x batch windows of context + 1 bytes at offsets drawn from
    CAMBRIAN_SEED; returns the losses the worker declared (claims)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    t, batch, steps = profile["context"], profile["batch"], profile["steps"]
    span = np.arange(t + 1)
    losses = []
    for step in range(steps):
        starts = rng.integers(0, len(data) - t - 1, size=batch)
        judge.open_call()
        judge.input.view[: batch * (t + 1)] = data[starts[:, None] + span].tobytes()
        result = judge.call(profiles.TRAIN, [batch, t, step, steps], timeout=profile["call_s"])
        try:
            losses.append(declarations.number(result.declarations, "loss"))
        except declarations.DeclarationError as error:
            raise Fault("protocol", f"DONE of step {step}: {error}") from None
    judge.settle()
    return [x for x in losses if x is not None]


def validate(judge, plan, profile):
    """Scoring calls and probe calls in a random order: (val_bpb, causal
    metrics, number of probes, peak memory the worker declared)."""
    rng = secret_rng()
    calls = plan.scoring_calls()
    scored = len(calls)

    def pick_base(rng, length, used):
        free = [(i, r) for i in range(scored) if calls[i].length == length
                for r in range(len(calls[i].rows)) if (i, r) not in used]
        return free[rng.integers(len(free))]

    cuts = scoring.add_probes(calls, profile["probes"], 4, profile["eval_batch"], pick_base,
                              plan.filler, rng)
    outcome = scoring.run_calls(judge, calls, rng.permutation(len(calls)), profile["call_s"])
    worst = scoring.worst_violation(outcome.kept, cuts)
    bpb = outcome.bits_per_byte()
    tokens = sum(c.rows.size for c in calls)
    causal = {"causal": int(worst < CAUSAL_TOLERANCE), "causal_violation": worst}
    return bpb, causal, len(cuts), tokens, outcome.peak_mem_mb


def train(judge, profile, seed, perm):
    """Trains and scores on the corpus relabelled by P: every window, prefix,
    filler and target below is in the secret alphabet, at the same places."""
    train_bytes, val_bytes, sha, _ = corpus.build()
    plan = scoring.ValidationPlan(alphabet.apply(perm, val_bytes).tobytes(), profile)
    data = alphabet.apply(perm, train_bytes)
    losses = train_windows(judge, data, profile, seed)
    train_ns = sum(r.charged_ns for r in judge.results)
    first_eval = len(judge.results)
    bpb, causal, probes, eval_tokens, peak = validate(judge, plan, profile)
    judge.settle()
    eval_ns = sum(r.charged_ns for r in judge.results[first_eval:])
    tokens = profile["steps"] * profile["batch"] * profile["context"]
    tail = losses[-max(1, len(losses) // 10):] or [math.nan]
    metrics = {"val_bpb": bpb, "train_tokens": tokens, "train_seconds": train_ns / 1e9,
               "tokens_per_s": tokens / max(train_ns / 1e9, 1e-9), "eval_seconds": eval_ns / 1e9,
               "val_scored_bytes": plan.row_lengths.size, "probes": probes,
               # Worker time per validation token over time per training token: about 0.3 for
               # a forward pass against forward + backward; much more means work beyond it.
               "eval_cost_ratio": (eval_ns / eval_tokens) / max(train_ns / tokens, 1e-9),
               "corpus_match": int(sha == corpus.EXPECTED_SHA256), "corpus_sha256_48": int(sha[:12], 16),
               **causal}
    declared_train = sum(tail) / len(tail) / math.log(2)
    if math.isfinite(declared_train):
        metrics["declared_train_bpb"] = declared_train
    if peak is not None:
        metrics["declared_peak_mem_mb"] = peak
    note = f"val_bpb {bpb:.4f} after {tokens} tokens; {metrics['tokens_per_s']:.0f} tokens/s"
    if not metrics["corpus_match"]:
        note += (f"; CORPUS DIFFERS: sha256 {sha} from {corpus.ROOT}, expected {corpus.EXPECTED_SHA256}:"
                 " scores are not comparable with runs on the reference corpus")
        print(note, file=sys.stderr)
    return metrics, note


def secret_alphabet(seed):
    """P from the setup's key and the seed. Without the key the task was run
    without its setup (a task bug): exit 2 rather than send plain bytes."""
    try:
        return alphabet.permutation(alphabet.read_key(), seed)
    except alphabet.MissingKey as error:
        print(f"hybrid-lm judge is broken: {error}", file=sys.stderr, flush=True)
        sys.exit(2)


def hello_budget(judge, profile, wall_s):
    """Metrics on what the worker spent before HELLO: the worker's CPU where
    there is a meter (hello_cpu_s), else the judge's clock (3 x hello_cpu_s:
    wall time grows with the machine's load). Over it, the worker trained
    before the budget began (README.md, "Compute before HELLO")."""
    metrics = {"hello_seconds": wall_s}
    if judge.meter is not None:
        metrics["hello_cpu_seconds"] = spent = judge.meter.read_ns() / 1e9
        limit, what = profile["hello_cpu_s"], "of CPU"
    else:
        spent, limit, what = wall_s, 3 * profile["hello_cpu_s"], "(wall clock, no CPU meter)"
    metrics["hello_in_budget"] = int(spent <= limit)
    note = None if metrics["hello_in_budget"] else (
        f"OVER THE HELLO BUDGET: the worker spent {spent:.1f} s {what} before HELLO, more than the "
        f"profile's {limit:.0f} s (the seed's worker needs under 1 s): work before the first training "
        "call is training the token budget does not count")
    return metrics, note


def exchange(judge, mode, profile, seed, perm, started, metrics, notes):
    """HELLO, then the stage's calls, then BYE; fills `metrics` and `notes`."""
    metrics["cpu_accounted"] = int(judge.meter is not None)
    hello = judge.hello(timeout=profile["hello_s"])
    spent, over = hello_budget(judge, profile, time.monotonic() - started)
    metrics.update(spent)
    declared, note = described(hello, profile)
    metrics.update(declared)
    notes.append(note)
    judge.share(*profiles.buffer_sizes(profile))  # before any BYE: the worker expects MEMORY first
    if over:
        notes.insert(0, over)
        judge.bye()
        return
    if mode == "check":
        result, probes = check(judge, profile, perm)
        metrics.update(result, probes=probes)
    else:
        result, note = train(judge, profile, seed, perm)
        metrics.update(result)
        notes.insert(0, note)
    judge.bye()
    if not metrics["causal"]:
        moved = metrics["causal_violation"]
        notes.insert(0, f"NOT CAUSAL: logits before a probe's cut moved by {moved:.3g} "
                     "(relative): a logit may depend only on the bytes up to its own position, "
                     "and only on its own row")


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode not in ("check", "train"):
        sys.exit("usage: judge.py check|train")
    name, profile = profiles.selected()
    seed = int(os.environ.get("CAMBRIAN_SEED", "1")) % (2**63)
    perm = secret_alphabet(seed)  # no key: stop before the worker is even answered
    print(f"hybrid-lm judge: {mode}, profile {name}, seed {seed}", flush=True)
    started = time.monotonic()
    metrics = {"verdict": VERDICTS["ok"], "causal": 0, "within_limits": 0, "hello_in_budget": 0}
    notes = []
    try:
        exchange(Judge.from_env(), mode, profile, seed, perm, started, metrics, notes)
    except Fault as fault:
        if fault.kind == JUDGE:
            print(f"hybrid-lm judge is broken: {fault.describe()}", file=sys.stderr, flush=True)
            os._exit(2)
        metrics = {k: v for k, v in metrics.items() if k not in ("val_bpb",)}
        metrics["verdict"] = VERDICTS[fault.kind]
        metrics["causal"] = 0
        notes.insert(0, f"the worker failed the exchange: {fault.describe()}")
    except scoring.BadOutput as bad:
        metrics["verdict"] = VERDICTS["bad_output"]
        metrics["causal"] = 0
        notes.insert(0, f"bad output: {bad}")
    report.finish(metrics, "; ".join(notes))


if __name__ == "__main__":
    main()
