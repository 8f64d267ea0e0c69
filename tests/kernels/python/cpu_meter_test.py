"""The worker CPU meter (kernels/python/cambrian_kernels/cpu_meter.py): both
cgroup formats, read by pread from a descriptor, and the environment.
Run: python3 -B tests/kernels/python/cpu_meter_test.py [-v]
"""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "kernels", "python"))
from cambrian_kernels import cpu_meter  # noqa: E402
from cambrian_kernels.faults import JUDGE, PEER_GONE, Fault  # noqa: E402


class ParseTest(unittest.TestCase):
    def test_formats(self):
        self.assertEqual(cpu_meter.parse_usage(b"123456789\n", "cpuacct.usage"), 123456789)
        stat = b"usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n"
        self.assertEqual(cpu_meter.parse_usage(stat, "cpu.stat"), 2500000)

    def test_rejects_other_text(self):
        for text, fmt in ((b"", "cpuacct.usage"), (b"-5\n", "cpuacct.usage"), (b"user_usec 3\n", "cpu.stat"),
                          (b"x_usage_usec 3\n", "cpu.stat"), (b"1\n", "cpu.max")):
            with self.assertRaises(ValueError, msg=(text, fmt)):
                cpu_meter.parse_usage(text, fmt)


class MeterTest(unittest.TestCase):
    def test_reads_the_file_afresh_each_time(self):
        with tempfile.NamedTemporaryFile("w+") as f:
            f.write("usage_usec 10\n")
            f.flush()
            fd = os.open(f.name, os.O_RDONLY)
            try:
                meter = cpu_meter.from_env({"CAMBRIAN_WORKER_CPU_FD": str(fd),
                                            "CAMBRIAN_WORKER_CPU_FORMAT": "cpu.stat"})
                self.assertEqual(meter.read_ns(), 10000)
                f.seek(0)
                f.write("usage_usec 99\n")
                f.flush()
                self.assertEqual(meter.read_ns(), 99000)
            finally:
                os.close(fd)

    def test_environment(self):
        self.assertIsNone(cpu_meter.from_env({}))
        for env in ({"CAMBRIAN_WORKER_CPU_FD": "x", "CAMBRIAN_WORKER_CPU_FORMAT": "cpu.stat"},
                    {"CAMBRIAN_WORKER_CPU_FD": "0", "CAMBRIAN_WORKER_CPU_FORMAT": "cpu.max"},
                    {"CAMBRIAN_WORKER_CPU_FD": "987", "CAMBRIAN_WORKER_CPU_FORMAT": "cpu.stat"}):
            with self.assertRaises(Fault) as caught:
                cpu_meter.from_env(env)
            self.assertEqual(caught.exception.kind, JUDGE)

    def test_a_removed_cgroup_is_the_worker_gone(self):
        # Cambrian removes the worker job's cgroup when its main process exits;
        # the judge's descriptor then reads ENODEV.
        parent = "/sys/fs/cgroup/cpuacct"
        path = os.path.join(parent, f"kernels-py-test-{os.getpid()}")
        try:
            os.mkdir(path)
        except OSError:
            self.skipTest("needs root and cgroup v1 cpuacct")
        fd = os.open(os.path.join(path, "cpuacct.usage"), os.O_RDONLY)
        try:
            os.rmdir(path)
            env = {"CAMBRIAN_WORKER_CPU_FD": str(fd), "CAMBRIAN_WORKER_CPU_FORMAT": "cpuacct.usage"}
            meter = cpu_meter.from_env(env)  # a worker already gone is no broken judge
            with self.assertRaises(Fault) as caught:
                meter.read_ns()
            self.assertEqual(caught.exception.kind, PEER_GONE)
        finally:
            os.close(fd)


if __name__ == "__main__":
    unittest.main()
