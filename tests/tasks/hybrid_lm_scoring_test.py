"""The hybrid-lm judge's validation plan and scoring
(tasks/hybrid-lm/harness/scoring.py), on the real corpus, without a worker:

- every scored row is a prefix of the validation text and its target the
  byte after it; the lengths spread evenly over 1..T; no row of any call,
  filler included, holds a scored byte or the MARGIN bytes after one;
- probes: a variant equals its base before the cut, sits in a call of its
  own among filler rows, and both are marked for comparison;
- the score from returned logits (log-softmax in float64), the checks on
  them (NaN, unwritten, changed inputs), and the causality comparison;
- the secret alphabet (alphabet.py): a keyed bijection, the same for the same
  key and seed, other for another key or seed; no key, no judge (exit 2);
  the judge's train stage, against a fake worker, sends no byte outside it
  (no training window and no validation prefix in plain bytes, each one the
  relabelled corpus at its place) and scores in it: a model that knows every
  next byte scores ~0 bits in the secret alphabet and 8 in the plain one.
Needs numpy (Debian's /usr/bin/python3). Run: python3 -B tests/tasks/hybrid_lm_scoring_test.py
"""
import math
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tasks", "hybrid-lm", "harness"))
sys.path.insert(0, os.path.join(ROOT, "kernels", "python"))
import alphabet  # noqa: E402
import corpus  # noqa: E402
import judge as hybrid_judge  # noqa: E402
import profiles  # noqa: E402
import scoring  # noqa: E402
from cambrian_kernels.judge import CallResult  # noqa: E402

TRAINING, VALIDATION = corpus.build()[:2]
JUDGE = os.path.join(ROOT, "tasks", "hybrid-lm", "harness", "judge.py")


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

    def settle(self):
        pass


class RecordingJudge(FakeJudge):
    """Serves TRAIN calls too (declaring a loss), keeps every row it was
    asked to send, and records results for the judge's timing sums."""

    def __init__(self, profile, answer):
        super().__init__(profile, answer)
        self.windows, self.eval_rows, self.results = [], [], []

    def call(self, op, args, timeout):
        if op == profiles.TRAIN:
            n, context = args[:2]
            rows = np.frombuffer(self.input.view, dtype=np.uint8, count=n * (context + 1))
            self.windows.append(rows.reshape(n, context + 1).copy())
            result = CallResult(op, 1, [("loss", "2.0")], 1000, None)
        else:
            n, length = args
            self.eval_rows.append(np.frombuffer(self.input.view, dtype=np.uint8,
                                                count=n * length).reshape(n, length).copy())
            result = super().call(op, args, timeout)
        self.results.append(result)
        return result


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


KEY = bytes(range(32))


class AlphabetTest(unittest.TestCase):
    def test_a_keyed_bijection_repeatable_from_key_and_seed(self):
        perm = alphabet.permutation(KEY, 1)
        self.assertEqual(perm.dtype, np.uint8)
        self.assertEqual(sorted(perm.tolist()), list(range(256)))
        np.testing.assert_array_equal(perm, alphabet.permutation(KEY, 1))
        # Pinned: the construction must not drift (a stored run's replays use it).
        self.assertEqual(perm[:8].tolist(), KNOWN_FIRST_EIGHT)
        others = [alphabet.permutation(KEY, 2), alphabet.permutation(bytes(32), 1),
                  alphabet.permutation(KEY[:-1] + b"\x20", 1)]
        for other in others:
            self.assertGreater(int((other != perm).sum()), 200)
        fixed = [int((alphabet.permutation(KEY, s) == np.arange(256)).sum()) for s in range(200)]
        self.assertLess(np.mean(fixed), 2.0)  # about one fixed point each, like any random permutation

    def test_the_key_comes_from_the_setup_directory_or_nothing_runs(self):
        with tempfile.TemporaryDirectory() as setup:
            with self.assertRaises(alphabet.MissingKey):
                alphabet.read_key(setup)
            with open(os.path.join(setup, "key"), "wb") as f:
                f.write(KEY[:31])
            with self.assertRaises(alphabet.MissingKey):
                alphabet.read_key(setup)
            with open(os.path.join(setup, "key"), "wb") as f:
                f.write(KEY)
            self.assertEqual(alphabet.read_key(setup), KEY)
        with self.assertRaises(alphabet.MissingKey):
            alphabet.read_key("")
        with self.assertRaises(ValueError):
            alphabet.permutation(KEY[:16], 1)

    def test_a_judge_without_the_key_exits_2_before_answering(self):
        env = {k: v for k, v in os.environ.items() if k != "CAMBRIAN_SETUP_DIR"}
        env.update(HYBRID_PROFILE="smoke", CAMBRIAN_SEED="1",
                   PYTHONPATH=os.path.join(ROOT, "kernels", "python"))
        for mode in ("check", "train"):
            result = subprocess.run([sys.executable, "-B", JUDGE, mode], env=env, capture_output=True,
                                    text=True, timeout=60)
            self.assertEqual(result.returncode, 2, result.stderr)
            self.assertIn("CAMBRIAN_SETUP_DIR is not set", result.stderr)


class SecretAlphabetTrainTest(unittest.TestCase):
    """judge.train against a fake worker: what it sends and how it scores."""

    def setUp(self):
        self.profile = dict(profiles.PROFILES["smoke"])
        self.perm = alphabet.permutation(KEY, 7)
        plain = scoring.ValidationPlan(VALIDATION, self.profile)
        # What the next byte is after each scored prefix, in both alphabets.
        self.next_byte = {"secret": {}, "plain": {}}
        for call in plain.scoring_calls():
            for row, target in zip(call.rows, call.targets):
                self.next_byte["secret"].setdefault(self.perm[row].tobytes(), set()).add(
                    int(self.perm[target]))
                self.next_byte["plain"].setdefault(row.tobytes(), set()).add(int(target))

    def oracle(self, table):
        """A causal model that puts its mass on the byte after each scored prefix
        (in `table`'s alphabet; probe and filler rows get uniform logits)."""
        def answer(rows):
            logits = np.zeros(rows.shape + (256,), dtype=np.float32)
            for r, row in enumerate(rows):
                for target in table.get(row.tobytes(), ()):
                    logits[r, -1, target] = 40.0
            return logits
        return answer

    def run_train(self, answer):
        fake = RecordingJudge(self.profile, answer)
        metrics, _ = hybrid_judge.train(fake, self.profile, 3, self.perm)
        return fake, metrics

    def test_no_plain_bytes_reach_the_worker(self):
        fake, metrics = self.run_train(self.oracle(self.next_byte["secret"]))
        inverse = np.argsort(self.perm).astype(np.uint8)
        self.assertEqual(sum(w.shape[0] * (w.shape[1] - 1) for w in fake.windows), metrics["train_tokens"])
        for window in np.concatenate(fake.windows):
            self.assertEqual(TRAINING.find(window.tobytes()), -1)
            self.assertNotEqual(TRAINING.find(inverse[window].tobytes()), -1)
        long_rows = 0
        for rows in fake.eval_rows:
            for row in rows:
                if row.size >= 16:
                    long_rows += 1
                    self.assertEqual(VALIDATION.find(row.tobytes()), -1)
                    self.assertTrue(self.relabelled_text(inverse[row].tobytes()), row)
        self.assertGreater(long_rows, 200)

    @staticmethod
    def relabelled_text(plain):
        """True if `plain` is validation text, or (a probe's variant) a prefix
        of it followed by filler from elsewhere in it."""
        return VALIDATION.find(plain) >= 0 or any(
            VALIDATION.find(plain[:t]) >= 0 and VALIDATION.find(plain[t:]) >= 0
            for t in range(1, len(plain)))

    def test_scored_in_the_secret_alphabet(self):
        _, metrics = self.run_train(self.oracle(self.next_byte["secret"]))
        self.assertEqual(metrics["causal"], 1)
        self.assertEqual(metrics["val_scored_bytes"], self.profile["val_rows"])
        self.assertLess(metrics["val_bpb"], 0.05)
        # Knowing every next byte in the plain alphabet recognises no row: uniform, 8 bits.
        _, plain = self.run_train(self.oracle(self.next_byte["plain"]))
        self.assertAlmostEqual(plain["val_bpb"], 8.0, places=9)


class HelloBudgetTest(unittest.TestCase):
    class Meter:
        def __init__(self, seconds):
            self.ns = int(seconds * 1e9)

        def read_ns(self):
            return self.ns

    class Judge:
        def __init__(self, meter):
            self.meter = meter

    def test_cpu_before_hello_is_bounded(self):
        profile = profiles.PROFILES["demo"]
        limit = profile["hello_cpu_s"]
        metrics, note = hybrid_judge.hello_budget(self.Judge(self.Meter(0.6)), profile, 30.0)
        self.assertEqual((metrics["hello_in_budget"], metrics["hello_cpu_seconds"], note), (1, 0.6, None))
        metrics, note = hybrid_judge.hello_budget(self.Judge(self.Meter(limit + 0.1)), profile, 1.0)
        self.assertEqual(metrics["hello_in_budget"], 0)
        self.assertIn("OVER THE HELLO BUDGET", note)
        # No meter: the judge's clock, with room for a loaded machine.
        metrics, _ = hybrid_judge.hello_budget(self.Judge(None), profile, 2 * limit)
        self.assertEqual(metrics["hello_in_budget"], 1)
        self.assertNotIn("hello_cpu_seconds", metrics)
        metrics, _ = hybrid_judge.hello_budget(self.Judge(None), profile, 3 * limit + 1)
        self.assertEqual(metrics["hello_in_budget"], 0)


# alphabet.permutation(bytes(range(32)), 1)[:8], as first built.
KNOWN_FIRST_EIGHT = [198, 92, 147, 120, 77, 133, 117, 203]


if __name__ == "__main__":
    unittest.main()
