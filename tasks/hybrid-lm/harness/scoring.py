"""What the judge sends for validation, what it keeps, and how it scores
(numpy, no torch).

A scored row is a prefix of the validation text: the worker gets
V[s : s + L] and returns logits for every position; the judge scores only
the last one, against V[s + L], a byte that never leaves the judge: no row
of any call contains it or the MARGIN bytes after it. So a model that looks
at later bytes, at other rows, or at everything it has been sent so far
cannot see the byte it is scored on. The rows are fixed (evenly spaced over
the validation files, lengths spread evenly over 1..T), so every evaluation
scores the same bytes; only the order of the calls is random.

Causality probes go on top, in calls of their own mixed among the scoring
calls in a random order: a probe is a scored row (its base) and a variant
equal to it before a random position t (1 <= t <= L; t = L, a repeat of
the base, for a quarter of them and by chance) and continuing with other
validation text from t on; the variant sits among
other validation prefixes of the same length. A causal, batch-independent
model gives the base and the variant the same logits before t. Placement,
t and filler text come from the judge's own entropy (getrandom), never from
CAMBRIAN_SEED, which the worker knows.
"""
import math
from dataclasses import dataclass, field

import numpy as np

import profiles
from cambrian_kernels import declarations
from cambrian_kernels.faults import PROTOCOL, Fault

MARGIN = 64  # bytes after every scored byte that no row may contain
REPEATS = 0.25  # share of the probes whose variant is the base itself
LENGTH_STEP = 37  # spreads the prefix lengths over the files (coprime to the class count)


class BadOutput(Exception):
    """Logits the judge cannot score: not finite, or rows left unwritten."""


@dataclass
class Outcome:
    """What a series of EVAL calls gave: the `bits` of every scored byte, the
    logits `kept` for probes {(probe id, role): [length, 256]}, and the
    largest peak memory the worker declared (None if never)."""
    bits: list = field(default_factory=list)
    kept: dict = field(default_factory=dict)
    peak_mem_mb: float = None

    def bits_per_byte(self):
        """The mean, exactly rounded (math.fsum), so the random order of the
        calls cannot change the last bit."""
        return math.fsum(self.bits) / len(self.bits)


@dataclass
class EvalCall:
    """One EVAL call: `rows` uint8 [n, length]; `targets` [n] the scored
    byte per row (-1: not scored); `keep` {row: (probe id, "base"|"variant")}."""
    rows: np.ndarray
    targets: np.ndarray
    keep: dict = field(default_factory=dict)

    @property
    def length(self):
        return self.rows.shape[1]


class ValidationPlan:
    """The fixed scored rows of a profile over the validation text."""

    def __init__(self, text, profile):
        self.text = np.frombuffer(text, dtype=np.uint8)
        t, rows, classes = profile["context"], profile["val_rows"], profile["val_lengths"]
        if rows % classes or math.gcd(LENGTH_STEP, classes) != 1:
            raise ValueError(f"val_rows {rows} must be a multiple of val_lengths {classes}, "
                             f"and val_lengths coprime to {LENGTH_STEP}")
        stride = len(self.text) // rows
        if stride < t + 1 + MARGIN:
            raise ValueError(f"{rows} rows of up to {t} + 1 bytes do not fit {len(self.text)} "
                             f"validation bytes with a margin of {MARGIN}")
        self.lengths = [math.ceil((c + 1) * t / classes) for c in range(classes)]
        self.starts = np.arange(rows, dtype=np.int64) * stride
        self.row_lengths = np.array([self.lengths[(k * LENGTH_STEP) % classes] for k in range(rows)])
        self.target_pos = self.starts + self.row_lengths
        self.batch = profile["eval_batch"]
        self._free = self._free_intervals()

    def _free_intervals(self):
        """[(a, b)]: stretches holding no scored byte nor the MARGIN after one."""
        free, cursor = [], 0
        for pos in self.target_pos.tolist():
            if pos > cursor:
                free.append((cursor, pos))
            cursor = pos + MARGIN + 1
        if cursor < len(self.text):
            free.append((cursor, len(self.text)))
        return free

    def rows_of_length(self, length):
        return np.flatnonzero(self.row_lengths == length)

    def prefixes(self, items, length):
        index = self.starts[items][:, None] + np.arange(length)
        return self.text[index]

    def scoring_calls(self):
        """Every scored row, grouped by length into calls of at most `batch`
        rows, in a fixed order within each call."""
        calls = []
        for length in self.lengths:
            items = self.rows_of_length(length)
            for i in range(0, len(items), self.batch):
                chunk = items[i : i + self.batch]
                targets = self.text[self.target_pos[chunk]].astype(np.int64)
                calls.append(EvalCall(self.prefixes(chunk, length), targets))
        return calls

    def filler_start(self, rng, size):
        """Where `size` bytes of filler start: a random place in a random
        stretch that holds no scored byte nor the MARGIN after one."""
        roomy = [(a, b) for a, b in self._free if b - a >= size]
        a, b = roomy[rng.integers(len(roomy))]
        return int(rng.integers(a, b - size + 1))

    def filler(self, rng, size):
        """`size` bytes of validation text from a random free stretch."""
        start = self.filler_start(rng, size)
        return self.text[start : start + size]


def add_probes(calls, probes, per_call, batch, pick_base, fill, rng):
    """Appends probe calls to `calls`: ceil(probes / per_call) calls of
    `batch` rows, each holding up to per_call variants among filler rows.
    pick_base(rng, length, used) -> (call index, row) of an existing row of
    that length not in `used` (a base serves one probe); fill(rng, size) -> uint8 filler text.
    Marks bases and variants in the calls' `keep`; returns {probe id: t}."""
    cuts, used = {}, set()
    lengths = sorted({c.length for c in calls})
    for first in range(0, probes, per_call):
        length = lengths[rng.integers(len(lengths))]
        probe = EvalCall(np.stack([fill(rng, length) for _ in range(batch)]),
                         np.full(batch, -1, dtype=np.int64))
        slots = rng.permutation(batch)[: min(per_call, probes - first)].tolist()
        for pid, slot in enumerate(slots, start=first):
            index, row = pick_base(rng, length, used)
            used.add((index, row))
            # A quarter repeat their base exactly (t = L): a worker whose
            # answers depend on what it was sent before shows it there.
            t = length if rng.random() < REPEATS else int(rng.integers(1, length + 1))
            base = calls[index].rows[row]
            probe.rows[slot] = np.concatenate([base[:t], fill(rng, length - t)])
            calls[index].keep[row] = (pid, "base")
            probe.keep[slot] = (pid, "variant")
            cuts[pid] = t
        calls.append(probe)
    return cuts


def log_softmax(logits):
    """log_softmax over the last axis, in float64."""
    x = logits.astype(np.float64)
    top = x.max(axis=-1, keepdims=True)
    return x - top - np.log(np.exp(x - top).sum(axis=-1, keepdims=True))


def run_calls(judge, calls, order, timeout):
    """Runs `calls` in `order`: writes each call's rows, poisons its logits
    with NaN, calls, copies the logits out at once, checks them and scores
    the last position of every scored row. Raises BadOutput or Fault."""
    inputs = np.frombuffer(judge.input.view, dtype=np.uint8)
    outputs = np.frombuffer(judge.output.view, dtype=np.float32)
    outcome = Outcome()
    for index in order:
        call = calls[index]
        n, length = call.rows.shape
        flat = call.rows.reshape(-1)
        judge.open_call()
        inputs[: flat.size] = flat
        area = outputs[: n * length * 256]
        area.fill(np.nan)
        result = judge.call(profiles.EVAL, [n, length], timeout=timeout)
        logits = area.copy().reshape(n, length, 256)
        if not np.array_equal(inputs[: flat.size], flat):
            raise BadOutput("the input buffer changed during a call")
        finite = np.isfinite(logits)
        if not finite.all():
            raise BadOutput(f"{finite.size - int(finite.sum())} of the {finite.size} logits of a call of "
                            f"{n} rows x {length} bytes are NaN, infinite or were never written")
        scored = np.flatnonzero(call.targets >= 0)
        if scored.size:
            logp = log_softmax(logits[scored, -1])[np.arange(scored.size), call.targets[scored]]
            outcome.bits.extend((-logp / math.log(2)).tolist())
        for row, key in call.keep.items():
            outcome.kept[key] = logits[row]
        try:
            peak = declarations.number(result.declarations, "peak_mem_mb")
        except declarations.DeclarationError as error:
            raise Fault(PROTOCOL, f"DONE of an EVAL call: {error}") from None
        if peak is not None:
            outcome.peak_mem_mb = max(peak, outcome.peak_mem_mb or 0.0)
    return outcome


def worst_violation(kept, cuts):
    """The largest relative change, over the probes, of the logits before the
    cut between a base and its variant (0 for a causal, row-independent
    model, up to rounding)."""
    worst = 0.0
    for pid, t in cuts.items():
        a, b = kept[(pid, "base")][:t], kept[(pid, "variant")][:t]
        scale = max(1.0, float(np.abs(a).max()))
        worst = max(worst, float(np.abs(a - b).max()) / scale)
    return worst
