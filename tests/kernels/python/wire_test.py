"""The Python protocol module (kernels/python/cambrian_kernels/protocol.py)
over real socket pairs: packet encoding, every validation rule, deadlines,
end of file, descriptors.
Run: python3 -B tests/kernels/python/wire_test.py [-v]
"""
import array
import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "kernels", "python"))
from cambrian_kernels import protocol as p  # noqa: E402
from cambrian_kernels.faults import PEER_GONE, PROTOCOL, TIMEOUT, Fault  # noqa: E402


def rights(fds):
    return (socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))


def open_fds():
    return set(os.listdir("/proc/self/fd"))


class DecodeTest(unittest.TestCase):
    def fault(self, packet, accepted=p.FROM_WORKER):
        with self.assertRaises(Fault) as caught:
            p.decode(packet, accepted)
        self.assertEqual(caught.exception.kind, PROTOCOL)
        return caught.exception.reason

    def test_round_trip(self):
        packet = p.encode(p.CALL, 7, p.CALL_ARGS.pack(1, 2, 3, 4, 5, 6, 7, 8))
        self.assertEqual(packet[:4], b"CCJ1")
        kind, seq, payload = p.decode(packet, p.FROM_JUDGE)
        self.assertEqual((kind, seq, p.CALL_ARGS.unpack(payload)), (p.CALL, 7, (1, 2, 3, 4, 5, 6, 7, 8)))

    def test_header_rules(self):
        self.assertIn("shorter", self.fault(b"CCJ1"))
        self.assertIn("magic", self.fault(b"CCJ2" + bytes(12)))
        self.assertIn("reserved", self.fault(p.HEADER.pack(p.MAGIC, p.HELLO, 1, 0)))
        self.assertIn("unknown type 9", self.fault(p.HEADER.pack(p.MAGIC, 9, 0, 0)))

    def test_direction(self):
        self.assertIn("CALL is not", self.fault(p.encode(p.CALL, 1, bytes(64)), p.FROM_WORKER))
        self.assertIn("DONE is not", self.fault(p.encode(p.DONE, 1), p.FROM_JUDGE))

    def test_sizes_and_seq(self):
        self.assertIn("expected 64", self.fault(p.encode(p.CALL, 1, bytes(63)), p.FROM_JUDGE))
        self.assertIn("expected 16", self.fault(p.encode(p.MEMORY, 0, bytes(8)), p.FROM_JUDGE))
        self.assertIn("expected 0", self.fault(p.encode(p.BYE, 0, b"x"), p.FROM_JUDGE))
        self.assertIn("seq 3", self.fault(p.encode(p.HELLO, 3)))
        self.assertIn("seq 0", self.fault(p.encode(p.DONE, 0)))
        self.assertIn("seq 0", self.fault(p.encode(p.CALL, 0, bytes(64)), p.FROM_JUDGE))
        self.assertIn("UTF-8", self.fault(p.encode(p.FAIL, 1, b"\xff\xfe")))

    def test_encode_refuses_oversized_payload(self):
        with self.assertRaises(ValueError):
            p.encode(p.HELLO, 0, bytes(p.MAX_PAYLOAD + 1))


class ChannelTest(unittest.TestCase):
    def setUp(self):
        self.a, self.b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.judge = p.Channel(self.a, p.FROM_WORKER)

    def tearDown(self):
        self.a.close()
        self.b.close()

    def expect(self, kind, deadline_s=5):
        with self.assertRaises(Fault) as caught:
            self.judge.receive(p.deadline_after(deadline_s))
        self.assertEqual(caught.exception.kind, kind, caught.exception.describe())
        return caught.exception.reason

    def test_timeout_within_deadline(self):
        start = time.monotonic()
        self.expect(TIMEOUT, 0.2)
        self.assertLess(time.monotonic() - start, 5)

    def test_end_of_file(self):
        self.b.close()
        self.expect(PEER_GONE)

    def test_oversized_packet(self):
        self.b.send(p.HEADER.pack(p.MAGIC, p.HELLO, 0, 0) + bytes(p.MAX_PAYLOAD + 1))
        self.assertIn("over", self.expect(PROTOCOL))

    def test_largest_packet_is_accepted(self):
        payload = b"a 1\n" * (p.MAX_PAYLOAD // 4)
        self.b.send(p.encode(p.HELLO, 0, payload))
        self.assertEqual(self.judge.receive(p.deadline_after(5)).payload, payload)

    def test_descriptors_on_hello_are_refused_and_closed(self):
        before = open_fds()
        r, w = os.pipe()
        self.b.sendmsg([p.encode(p.HELLO, 0)], [rights([r, w])])
        os.close(r)
        os.close(w)
        self.assertIn("descriptors", self.expect(PROTOCOL))
        self.assertEqual(open_fds(), before)

    def test_memory_needs_exactly_two_descriptors(self):
        worker = p.Channel(self.b, p.FROM_JUDGE)
        fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(3)]
        before = open_fds()
        for count in (0, 1, 3):
            p.Channel(self.a, p.FROM_WORKER).send(p.MEMORY, 0, p.MEMORY_SIZES.pack(1, 1), fds[:count])
            with self.assertRaises(Fault) as caught:
                worker.receive(p.deadline_after(5))
            self.assertIn(f"{count} descriptors", caught.exception.reason)
        self.assertEqual(open_fds(), before)
        p.Channel(self.a, p.FROM_WORKER).send(p.MEMORY, 0, p.MEMORY_SIZES.pack(1, 1), fds[:2])
        message = worker.receive(p.deadline_after(5))
        self.assertEqual(len(message.fds), 2)
        for fd in fds + list(message.fds):
            os.close(fd)

    def test_too_many_descriptors(self):
        fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(40)]
        before = open_fds()
        self.b.sendmsg([p.encode(p.HELLO, 0)], [rights(fds)])
        self.expect(PROTOCOL)
        self.assertEqual(open_fds(), before)
        for fd in fds:
            os.close(fd)

    def test_send_to_a_closed_peer(self):
        self.b.close()
        with self.assertRaises(Fault) as caught:
            self.judge.send(p.BYE, 0, deadline=p.deadline_after(1))
        self.assertEqual(caught.exception.kind, PEER_GONE)

    def test_send_times_out_when_the_peer_never_reads(self):
        worker = p.Channel(self.b, p.FROM_JUDGE)
        start = time.monotonic()
        with self.assertRaises(Fault) as caught:
            for _ in range(100000):
                worker.send(p.HELLO, 0, bytes(p.MAX_PAYLOAD), deadline=p.deadline_after(0.3))
        self.assertEqual(caught.exception.kind, TIMEOUT)
        self.assertLess(time.monotonic() - start, 10)


if __name__ == "__main__":
    unittest.main()
