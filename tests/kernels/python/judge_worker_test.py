"""A Python judge (kernels/python/cambrian_kernels/judge.py) against real
worker processes (peers.py): the honest exchange, a worker attacking the
shared buffers, and workers that stay silent, hang, die, fail or break the
protocol, each of which must end in its verdict within the deadlines. Last,
a judge and a worker connected by kernels/tools/judge_pair.py.
Run: python3 -B tests/kernels/python/judge_worker_test.py [-v]
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..")
sys.path.insert(0, os.path.join(ROOT, "kernels", "python"))
from cambrian_kernels import declarations  # noqa: E402
from cambrian_kernels.faults import PEER_GONE, PROTOCOL, TIMEOUT, WORKER_FAILED, Fault  # noqa: E402
from cambrian_kernels.judge import Judge  # noqa: E402

PEERS = os.path.join(HERE, "peers.py")
# The same honest worker in C++ (cpp_peer.cc, built by CMake), for interop.
CPP_PEER = os.environ.get("CAMBRIAN_CPP_PEER", "")


class Exchange:
    """A judge in this process and `peers.py worker MODE` in a child."""

    def __init__(self, mode, argv=None):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = dict(os.environ, CAMBRIAN_JUDGE_FD=str(theirs.fileno()))
        argv = argv or [sys.executable, "-B", PEERS, "worker", mode]
        self.child = subprocess.Popen(argv, env=env, pass_fds=[theirs.fileno()])
        theirs.close()
        self.judge = Judge(ours)

    def close(self):
        if self.child.poll() is None:
            self.child.kill()
        self.child.wait()
        self.judge.channel.close()


class ScriptedMeter:
    """A CPU meter that reads the given values in turn (the last one after)."""

    def __init__(self, readings):
        self.readings = list(readings)

    def read_ns(self):
        return self.readings.pop(0) if len(self.readings) > 1 else self.readings[0]


class JudgeWorkerTest(unittest.TestCase):
    def exchange(self, mode, argv=None):
        exchange = Exchange(mode, argv)
        self.addCleanup(exchange.close)
        return exchange.judge, exchange.child

    def verdict(self, kind, action, within=20):
        start = time.monotonic()
        with self.assertRaises(Fault) as caught:
            action()
        self.assertEqual(caught.exception.kind, kind, caught.exception.describe())
        self.assertLess(time.monotonic() - start, within)
        return caught.exception.reason

    def test_honest_exchange(self):
        self.honest_exchange(self.exchange("honest"))

    @unittest.skipUnless(CPP_PEER, "CAMBRIAN_CPP_PEER (tests/kernels/python/cpp_peer.cc built) not given")
    def test_honest_exchange_with_the_cpp_worker(self):
        self.honest_exchange(self.exchange("cpp", [CPP_PEER]))

    def honest_exchange(self, exchange):
        judge, child = exchange
        declared = judge.hello(timeout=30)
        self.assertEqual(declarations.number(declared, "params"), 7)
        inputs, outputs = judge.share(32, 32)
        for _ in range(3):
            data = os.getrandom(20)
            inputs[:20] = data
            outputs[:20] = bytes(20)
            first = judge.call(1, [20], timeout=30)
            self.assertEqual(bytes(outputs[:20]), data[::-1])
            self.assertGreater(first.wall_ns, 0)
            summed = judge.call(2, [20], timeout=30)
            self.assertEqual(declarations.number(summed.declarations, "sum"), sum(data))
        self.assertEqual([r.seq for r in judge.results], [1, 2, 3, 4, 5, 6])
        judge.bye()
        self.assertEqual(child.wait(timeout=30), 0)

    def test_cpu_charged_to_the_call_it_belongs_to(self):
        judge, _ = self.exchange("honest")
        judge.meter = ScriptedMeter([100, 100, 150, 400, 450, 470, 900])
        judge.hello(timeout=30)
        judge.share(8, 8)                 # reads 100
        judge.open_call()                 # 100: opens call 1
        first = judge.call(2, [4], timeout=30)   # DONE: 150
        judge.open_call()                 # 400: call 1's tail is 250, opens call 2
        second = judge.call(2, [4], timeout=30)  # DONE: 450
        second_cpu = second.cpu_ns
        third = judge.call(2, [4], timeout=30)   # opened by call(): 470 (tail 20); DONE: 900
        judge.bye()                       # nothing left to read: the tail stays as read
        self.assertEqual((first.cpu_ns, first.tail_cpu_ns), (50, 250))
        self.assertEqual((second_cpu, second.tail_cpu_ns), (50, 20))
        self.assertEqual(third.cpu_ns, 430)
        self.assertEqual(first.charged_ns, max(first.wall_ns, 300))

    def test_worker_cannot_write_or_resize_the_buffers(self):
        judge, _ = self.exchange("attack")
        judge.hello(timeout=30)
        inputs, _ = judge.share(4096, 4096)
        inputs[:4] = b"seal"
        result = dict(judge.call(1, timeout=30).declarations)
        self.assertEqual(len(result), 7, result)
        for attempt, outcome in result.items():
            self.assertNotEqual(outcome, "ok", f"{attempt} succeeded")
        self.assertEqual(bytes(inputs[:4]), b"seal")
        self.assertEqual(len(inputs), 4096)

    def test_silent_worker_times_out(self):
        judge, _ = self.exchange("silent")
        self.verdict(TIMEOUT, lambda: judge.hello(timeout=1))

    def test_worker_that_never_answers_times_out(self):
        judge, _ = self.exchange("hang")
        judge.hello(timeout=30)
        judge.share(8, 8)
        self.verdict(TIMEOUT, lambda: judge.call(1, [1], timeout=1))

    def test_worker_that_exits(self):
        judge, _ = self.exchange("exit")
        judge.hello(timeout=30)
        judge.share(8, 8)
        self.verdict(PEER_GONE, lambda: judge.call(1, [1], timeout=30))

    def test_worker_that_fails(self):
        judge, child = self.exchange("fail")
        judge.hello(timeout=30)
        judge.share(8, 8)
        self.assertIn("ZeroDivisionError", self.verdict(WORKER_FAILED, lambda: judge.call(1, timeout=30)))

    def test_malformed_messages(self):
        reasons = {"bad_magic": "magic", "oversized": "over", "short": "shorter",
                   "fds_on_hello": "descriptors", "bad_declarations": "line 2",
                   "call_from_worker": "CALL is not"}
        for mode, reason in reasons.items():
            with self.subTest(mode):
                judge, _ = self.exchange(mode)
                self.assertIn(reason, self.verdict(PROTOCOL, lambda: judge.hello(timeout=30)))

    def answered_out_of_order(self, mode, calls=1):
        judge, _ = self.exchange(mode)
        judge.hello(timeout=30)
        judge.share(8, 8)
        time.sleep(0.5)  # let what the worker sends unasked arrive first

        def run():
            for _ in range(calls):
                judge.call(1, timeout=30)
        return self.verdict(PROTOCOL, run)

    def test_done_before_the_call(self):
        self.assertIn("outside a call", self.answered_out_of_order("early_done"))

    def test_done_for_another_call(self):
        self.assertIn("DONE for call 6", self.answered_out_of_order("wrong_seq"))

    def test_second_done(self):
        # Outside the second call if it arrived before it, else the wrong seq.
        self.assertRegex(self.answered_out_of_order("double_done", calls=2),
                         "outside a call|DONE for call 1 in answer to CALL 2")

    def test_flood(self):
        self.answered_out_of_order("flood")

    def test_judge_pair_interop(self):
        self.judge_pair([sys.executable, "-B", PEERS, "worker", "honest"])

    @unittest.skipUnless(CPP_PEER, "CAMBRIAN_CPP_PEER (tests/kernels/python/cpp_peer.cc built) not given")
    def test_judge_pair_with_the_cpp_worker(self):
        self.judge_pair([CPP_PEER])

    def judge_pair(self, worker):
        with tempfile.TemporaryDirectory() as out:
            pair = subprocess.run(
                [sys.executable, "-B", os.path.join(ROOT, "kernels", "tools", "judge_pair.py"),
                 "--out", out, "--timeout", "120", "--", sys.executable, "-B", PEERS, "judge", "--",
                 *worker], capture_output=True, text=True, timeout=180)
            self.assertEqual(pair.returncode, 0, pair.stderr)
            with open(os.path.join(out, "metrics.json")) as f:
                metrics = json.load(f)["metrics"]
        self.assertEqual(metrics, {"reversed_ok": 1, "sum_ok": 1, "declared_params": 7.0})


if __name__ == "__main__":
    unittest.main()
