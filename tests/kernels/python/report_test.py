"""The judge's report writer (kernels/python/cambrian_kernels/report.py):
finite numbers only, bounded feedback, write-and-rename, os._exit after.
Run: python3 -B tests/kernels/python/report_test.py [-v]
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

KERNELS_PY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "kernels", "python")
sys.path.insert(0, KERNELS_PY)
from cambrian_kernels import report  # noqa: E402


class WriteTest(unittest.TestCase):
    def setUp(self):
        self.out = tempfile.mkdtemp(prefix="report-test-")

    def tearDown(self):
        for name in os.listdir(self.out):
            os.unlink(os.path.join(self.out, name))
        os.rmdir(self.out)

    def read(self):
        with open(os.path.join(self.out, "metrics.json")) as f:
            return json.load(f)

    def test_writes_metrics_and_feedback(self):
        report.write({"val_bpb": 2.5, "causal": True, "params": 12}, "fine", self.out)
        self.assertEqual(self.read(), {"metrics": {"val_bpb": 2.5, "causal": 1, "params": 12},
                                       "feedback": "fine"})
        self.assertEqual(os.listdir(self.out), ["metrics.json"])

    def test_refuses_non_finite_and_bad_names(self):
        for metrics in ({"x": math.nan}, {"x": math.inf}, {"x": "3"}, {"x": None}, {"1x": 1},
                        {"a.b": 1}):
            with self.assertRaises(ValueError, msg=str(metrics)):
                report.write(metrics, "", self.out)
        self.assertEqual(os.listdir(self.out), [])

    def test_feedback_is_bounded(self):
        report.write({}, "y" * 100000, self.out)
        feedback = self.read()["feedback"]
        self.assertEqual(len(feedback), report.MAX_FEEDBACK)
        self.assertTrue(feedback.endswith("..."))

    def test_replaces_an_earlier_report_whole(self):
        report.write({"a": 1}, "first", self.out)
        report.write({"b": 2}, "second", self.out)
        self.assertEqual(self.read(), {"metrics": {"b": 2}, "feedback": "second"})

    def test_does_not_follow_a_planted_link_at_the_temporary_name(self):
        target = os.path.join(self.out, "elsewhere")
        os.symlink(target, os.path.join(self.out, f".metrics.json.{os.getpid()}.tmp"))
        with self.assertRaises(OSError):
            report.write({"a": 1}, "", self.out)
        self.assertFalse(os.path.exists(target))

    def finish_in_child(self, code):
        program = (f"import sys, atexit; sys.path.insert(0, {KERNELS_PY!r})\n"
                   "from cambrian_kernels import report\n"
                   "atexit.register(lambda: open(sys.argv[1] + '/atexit-ran', 'w').close())\n" + code)
        return subprocess.run([sys.executable, "-B", "-c", program, self.out], capture_output=True,
                              text=True, timeout=60)

    def test_finish_exits_at_once_with_the_status(self):
        child = self.finish_in_child("report.finish({'a': 1.5}, 'done', sys.argv[1], status=0)\n"
                                     "print('not reached')")
        self.assertEqual(child.returncode, 0)
        self.assertNotIn("not reached", child.stdout)
        self.assertEqual(self.read()["metrics"], {"a": 1.5})
        self.assertFalse(os.path.exists(os.path.join(self.out, "atexit-ran")))

    def test_finish_with_bad_metrics_exits_3_without_a_report(self):
        child = self.finish_in_child("report.finish({'a': float('nan')}, '', sys.argv[1])")
        self.assertEqual(child.returncode, 3)
        self.assertIn("not finite", child.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.out, "metrics.json")))


if __name__ == "__main__":
    unittest.main()
