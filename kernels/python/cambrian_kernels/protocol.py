"""The judge protocol's transport (kernels/PROTOCOL.md, "Transport"): one
message per AF_UNIX SOCK_SEQPACKET packet, a 16-byte little-endian header
(magic, type, reserved, seq) and a payload of at most 64 KiB; descriptors
only with MEMORY, passed with SCM_RIGHTS.

Everything received is validated before anyone looks at it. A packet that is
short, oversized, truncated, has a wrong magic, a non-zero reserved field, a
type the receiver does not accept, a payload of the wrong size for its type,
a wrong seq for its type, or descriptors on anything but MEMORY is a
Fault(PROTOCOL); descriptors that arrive with a rejected packet are closed.
Every wait has a deadline (time.monotonic() seconds).
"""
import array
import errno
import os
import select
import socket
import struct
import time
from collections import namedtuple

from .faults import PEER_GONE, PROTOCOL, TIMEOUT, Fault

MAGIC = 0x314A4343  # the bytes "CCJ1"
HEADER = struct.Struct("<IHHQ")
MAX_PAYLOAD = 65536
CALL_ARGS = struct.Struct("<8Q")  # op, arg[7]
MEMORY_SIZES = struct.Struct("<QQ")  # input_bytes, output_bytes

HELLO, MEMORY, CALL, DONE, FAIL, BYE = 1, 2, 3, 4, 5, 6
NAMES = {HELLO: "HELLO", MEMORY: "MEMORY", CALL: "CALL", DONE: "DONE", FAIL: "FAIL", BYE: "BYE"}
FROM_WORKER = (HELLO, DONE, FAIL)
FROM_JUDGE = (MEMORY, CALL, BYE)
_MAX_FDS = 16  # room to receive (and close) more descriptors than MEMORY's two

Message = namedtuple("Message", "type seq payload fds")


def encode(kind, seq, payload=b""):
    """Header + payload bytes of one packet. Raises ValueError on a payload
    over MAX_PAYLOAD or a seq outside u64 (a bug in the caller)."""
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"{NAMES.get(kind, kind)} payload of {len(payload)} bytes, at most {MAX_PAYLOAD}")
    return HEADER.pack(MAGIC, kind, 0, seq) + bytes(payload)


def decode(packet, accepted):
    """(type, seq, payload) of one packet whose type is in `accepted`.
    Checks the header and the shape rules that need no conversation state:
    payload sizes of MEMORY (16), CALL (64), BYE (0); seq 0 on HELLO, MEMORY
    and BYE, seq >= 1 on CALL and DONE; FAIL text is UTF-8. Raises Fault."""
    if len(packet) < HEADER.size:
        raise Fault(PROTOCOL, f"a packet of {len(packet)} bytes, shorter than the 16-byte header")
    magic, kind, reserved, seq = HEADER.unpack_from(packet)
    payload = bytes(packet[HEADER.size:])
    if magic != MAGIC:
        raise Fault(PROTOCOL, f"bad magic 0x{magic:08x}")
    if reserved != 0:
        raise Fault(PROTOCOL, f"reserved header field is {reserved}, expected 0")
    if kind not in accepted:
        name = NAMES.get(kind, f"unknown type {kind}")
        raise Fault(PROTOCOL, f"{name} is not a message this side accepts")
    sizes = {MEMORY: MEMORY_SIZES.size, CALL: CALL_ARGS.size, BYE: 0}
    if kind in sizes and len(payload) != sizes[kind]:
        raise Fault(PROTOCOL, f"{NAMES[kind]} payload of {len(payload)} bytes, expected {sizes[kind]}")
    if kind in (HELLO, MEMORY, BYE) and seq != 0:
        raise Fault(PROTOCOL, f"{NAMES[kind]} with seq {seq}, expected 0")
    if kind in (CALL, DONE) and seq == 0:
        raise Fault(PROTOCOL, f"{NAMES[kind]} with seq 0")
    if kind == FAIL:
        try:
            payload.decode("utf-8")
        except UnicodeDecodeError:
            raise Fault(PROTOCOL, "FAIL text is not UTF-8") from None
    return kind, seq, payload


def remaining(deadline):
    """Seconds left until `deadline` (None: no deadline, returns None)."""
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def deadline_after(seconds):
    return None if seconds is None else time.monotonic() + seconds


def _close_all(fds):
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


def _descriptors(ancdata):
    """(descriptors, error text or None) from recvmsg's ancillary data."""
    fds, bad = [], None
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            got = array.array("i")
            got.frombytes(data[: len(data) - len(data) % got.itemsize])
            fds.extend(got)
        else:
            bad = f"unexpected ancillary data (level {level}, type {kind})"
    return fds, bad


class Channel:
    """One end of the socket pair; owns the socket. `accepted`: the message
    types this side may receive (FROM_WORKER for a judge, FROM_JUDGE for a
    worker). Not thread-safe."""

    def __init__(self, sock, accepted):
        self.sock = sock
        self.accepted = tuple(accepted)
        self._poll = select.poll()
        self._poll.register(sock.fileno(), select.POLLIN)

    def close(self):
        self.sock.close()

    def readable(self):
        """True when a packet or end of file is waiting to be read now."""
        return bool(self._poll.poll(0))

    def _wait(self, deadline):
        while True:
            left = remaining(deadline)
            if self._poll.poll(None if left is None else int(left * 1000) + 1):
                return True
            if left is not None and left <= 0:
                return False

    def receive(self, deadline):
        """The next message, validated. Fault(TIMEOUT) when nothing arrives by
        `deadline`, Fault(PEER_GONE) on end of file, Fault(PROTOCOL) on
        anything malformed."""
        data, ancdata, msg_flags = self._receive_packet(deadline)
        fds, bad = _descriptors(ancdata)
        try:
            if not data and not fds and bad is None:
                raise Fault(PEER_GONE, "end of file on the socket")
            if msg_flags & socket.MSG_TRUNC:
                raise Fault(PROTOCOL, f"a packet over {HEADER.size + MAX_PAYLOAD} bytes")
            if msg_flags & socket.MSG_CTRUNC:
                raise Fault(PROTOCOL, "too many descriptors in one packet")
            if bad:
                raise Fault(PROTOCOL, bad)
            kind, seq, payload = decode(data, self.accepted)
            want = 2 if kind == MEMORY else 0
            if len(fds) != want:
                raise Fault(PROTOCOL, f"{NAMES[kind]} with {len(fds)} descriptors, expected {want}")
        except Fault:
            _close_all(fds)
            raise
        return Message(kind, seq, payload, fds)

    def _receive_packet(self, deadline):
        flags = socket.MSG_DONTWAIT | getattr(socket, "MSG_CMSG_CLOEXEC", 0)
        while True:
            if not self._wait(deadline):
                raise Fault(TIMEOUT, "no message within the deadline")
            try:
                data, ancdata, msg_flags, _ = self.sock.recvmsg(
                    HEADER.size + MAX_PAYLOAD, socket.CMSG_SPACE(_MAX_FDS * 4), flags)
                return data, ancdata, msg_flags
            except BlockingIOError:
                continue  # woken without a packet: wait for the time that is left
            except (ConnectionResetError, BrokenPipeError):
                raise Fault(PEER_GONE, "the connection was reset") from None

    def send(self, kind, seq, payload=b"", fds=(), deadline=None):
        """Sends one message carrying `fds` (duplicated into the peer; the
        caller keeps its own). Fault(PEER_GONE) if the peer is gone,
        Fault(TIMEOUT) if the socket stays full until `deadline`."""
        packet = encode(kind, seq, payload)
        ancdata = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
        poll = select.poll()
        poll.register(self.sock.fileno(), select.POLLOUT)
        while True:
            try:
                self.sock.sendmsg([packet], ancdata, socket.MSG_DONTWAIT | socket.MSG_NOSIGNAL)
                return
            except BlockingIOError:
                left = remaining(deadline)
                if left is not None and left <= 0:
                    raise Fault(TIMEOUT, f"could not send {NAMES[kind]}: the socket stayed full") from None
                poll.poll(None if left is None else int(left * 1000) + 1)
            except OSError as error:
                if error.errno in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
                    raise Fault(PEER_GONE, f"could not send {NAMES[kind]}: the peer is gone") from None
                raise
