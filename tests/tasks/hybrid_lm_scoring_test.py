"""The hybrid-lm judge's validation plan and scoring
(tasks/hybrid-lm/harness/scoring.py), on the real corpus, without a worker:

- every scored row is a prefix of the validation text and its target the
  byte after it; the lengths spread evenly over 1..T; no row of any call,
  filler included, holds a scored byte or the MARGIN bytes after one;
- probes: a variant equals its base before the cut, sits in a call of its
  own among filler rows, and both are marked for comparison;
- the score from returned logits (log-softmax in float64), the checks on
  them (NaN, unwritten, changed inputs), and the causality comparison.
Needs numpy (Debian's /usr/bin/python3). Run: python3 -B tests/tasks/hybrid_lm_scoring_test.py
"""
import math
import os
import sys
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tasks", "hybrid-lm", "harness"))
sys.path.insert(0, os.path.join(ROOT, "kernels", "python"))
import corpus  # noqa: E402
import profiles  # noqa: E402
import scoring  # noqa: E402
from cambrian_kernels.judge import CallResult  # noqa: E402

VALIDATION = corpus.build()[1]


class PlanTest(unittest.TestCase):
    def test_scored_rows_are_prefixes_of_the_validation_text(self):
        for name, profile in profiles.PROFILES.items():
            with self.subTest(name):
                plan = scoring.ValidationPlan(VALIDATION, profile)
                calls = plan.scoring_calls()
                rows = sum(len(c.rows) for c in calls)
                self.assertEqual(rows, profile["val_rows"])
                self.assertEqual(plan.lengths[-1], profile["context"])
                self.assertEqual(len(set(plan.lengths)), profile["val_lengths"])
                per_length = {length: len(plan.rows_of_length(length)) for length in plan.lengths}
                self.assertEqual(set(per_length.values()), {profile["val_rows"] // profile["val_lengths"]})
                text = np.frombuffer(VALIDATION, dtype=np.uint8)
                for k in range(0, profile["val_rows"], 97):
                    s, length = plan.starts[k], plan.row_lengths[k]
                    call = next(c for c in calls if c.length == length)
                    self.assertLessEqual(len(call.rows), profile["eval_batch"])
                    self.assertEqual(text[s + length], plan.text[plan.target_pos[k]])

    def test_no_row_holds_a_scored_byte(self):
        rng = np.random.default_rng(5)
        for name, profile in profiles.PROFILES.items():
            with self.subTest(name):
                plan = scoring.ValidationPlan(VALIDATION, profile)
                forbidden = np.zeros(len(plan.text) + scoring.MARGIN + 2, dtype=bool)
                for pos in plan.target_pos:
                    forbidden[pos : pos + scoring.MARGIN + 1] = True
                for k in range(profile["val_rows"]):
                    s, length = plan.starts[k], plan.row_lengths[k]
                    self.assertFalse(forbidden[s : s + length].any(), f"scored row {k}")
                for _ in range(3000):
                    size = int(rng.integers(1, profile["context"] + 1))
                    start = plan.filler_start(rng, size)
                    self.assertFalse(forbidden[start : start + size].any(), (start, size))

    def test_a_corpus_too_small_for_the_profile_is_refused(self):
        with self.assertRaises(ValueError):
            scoring.ValidationPlan(VALIDATION[:100000], profiles.PROFILES["demo"])


class ProbeTest(unittest.TestCase):
    def test_variants_share_their_base_before_the_cut(self):
        profile = profiles.PROFILES["demo"]
        plan = scoring.ValidationPlan(VALIDATION, profile)
        calls = plan.scoring_calls()
        scored = len(calls)

        def pick(rng, length, used):
            free = [(i, r) for i in range(scored) if calls[i].length == length
                    for r in range(len(calls[i].rows)) if (i, r) not in used]
            return free[rng.integers(len(free))]

        cuts = scoring.add_probes(calls, 64, 4, profile["eval_batch"], pick, plan.filler,
                                  np.random.default_rng(9))
        self.assertEqual(len(cuts), 64)
        self.assertEqual(len(calls), scored + 16)
        roles = {}
        for index, call in enumerate(calls):
            for row, (pid, role) in call.keep.items():
                roles[(pid, role)] = (index, row)
        for pid, t in cuts.items():
            (bi, br), (vi, vr) = roles[(pid, "base")], roles[(pid, "variant")]
            self.assertLess(bi, scored)
            self.assertGreaterEqual(vi, scored)
            self.assertTrue(1 <= t <= calls[bi].length)
            np.testing.assert_array_equal(calls[bi].rows[br][:t], calls[vi].rows[vr][:t])
        for call in calls[scored:]:
            self.assertEqual(call.rows.shape[0], profile["eval_batch"])
            self.assertTrue((call.targets == -1).all())
        self.assertTrue(any(t == calls[roles[(pid, "base")][0]].length for pid, t in cuts.items()))


class FakeJudge:
    """Answers EVAL calls with logits from `answer(rows) -> [n, L, 256]`."""

    class Buffer:
        def __init__(self, size):
            self.view = memoryview(bytearray(size))

    def __init__(self, profile, answer):
        inputs, outputs = profiles.buffer_sizes(profile)
        self.input, self.output, self.answer = self.Buffer(inputs), self.Buffer(outputs), answer

    def open_call(self):
        pass

    def call(self, op, args, timeout):
        n, length = args
        rows = np.frombuffer(self.input.view, dtype=np.uint8, count=n * length).reshape(n, length)
        logits = self.answer(rows)
        if logits is not None:
            out = np.frombuffer(self.output.view, dtype=np.float32, count=n * length * 256)
            out[:] = logits.reshape(-1)
        return CallResult(op, 1, [("peak_mem_mb", "12.5")], 1000, None)


class ScoreTest(unittest.TestCase):
    def setUp(self):
        self.profile = dict(profiles.PROFILES["smoke"])
        self.plan = scoring.ValidationPlan(VALIDATION, self.profile)
        self.calls = self.plan.scoring_calls()

    def run_calls(self, answer):
        judge = FakeJudge(self.profile, answer)
        return scoring.run_calls(judge, self.calls, np.arange(len(self.calls))[::-1], timeout=1)

    def test_uniform_logits_score_eight_bits(self):
        outcome = self.run_calls(lambda rows: np.zeros(rows.shape + (256,), dtype=np.float32))
        self.assertEqual(len(outcome.bits), self.profile["val_rows"])
        self.assertAlmostEqual(outcome.bits_per_byte(), 8.0, places=12)
        self.assertEqual(outcome.peak_mem_mb, 12.5)

    def test_the_loss_is_that_of_the_target_byte(self):
        pending = [self.calls[i] for i in np.arange(len(self.calls))[::-1]]  # run_calls' order

        def confident(rows):  # probability 1/2 on the true next byte, the rest spread evenly
            call = pending.pop(0)
            np.testing.assert_array_equal(rows, call.rows)
            logits = np.zeros(rows.shape + (256,), dtype=np.float32)
            logits[np.arange(len(rows)), -1, call.targets] = math.log(255)
            return logits
        self.assertAlmostEqual(self.run_calls(confident).bits_per_byte(), 1.0, places=5)

    def test_bad_logits_are_refused(self):
        for answer in (lambda rows: np.full(rows.shape + (256,), np.nan, dtype=np.float32),
                       lambda rows: np.full(rows.shape + (256,), np.inf, dtype=np.float32),
                       lambda rows: None):  # never written: the poison stays
            with self.assertRaises(scoring.BadOutput):
                self.run_calls(answer)

    def test_worst_violation(self):
        base = np.ones((8, 256), dtype=np.float32) * 4
        variant = base.copy()
        variant[5:] += 100
        kept = {(0, "base"): base, (0, "variant"): variant}
        self.assertEqual(scoring.worst_violation(kept, {0: 5}), 0.0)
        variant[4, 3] += 0.04
        self.assertAlmostEqual(scoring.worst_violation(kept, {0: 5}), 0.01, places=6)


if __name__ == "__main__":
    unittest.main()
