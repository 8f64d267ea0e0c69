"""The judge's side of the protocol (kernels/PROTOCOL.md): waits for HELLO,
shares the two buffers, runs CALLs one at a time with deadlines, measures
each call's wall time and the worker's CPU, and says BYE.

  judge = Judge.from_env()
  declared = judge.hello(timeout=60)
  inputs, outputs = judge.share(input_bytes, output_bytes)
  judge.open_call()                             # before writing the inputs
  ...write the inputs, poison the outputs...
  result = judge.call(op, [a, b], timeout=10)
  judge.bye()

Every failure of the worker raises faults.Fault (protocol, timeout,
worker_gone, worker_failed); Fault(JUDGE) means the judge is broken. What
goes in the buffers, and what is verified, is the task's business.
"""
import os
import socket
import time

from . import cpu_meter, declarations
from .buffers import SharedBuffer
from .faults import JUDGE, PROTOCOL, WORKER_FAILED, Fault
from .protocol import (BYE, CALL, CALL_ARGS, DONE, FAIL, FROM_WORKER, HELLO, MEMORY, MEMORY_SIZES,
                       NAMES, Channel, deadline_after)

MAX_ARG = (1 << 64) - 1


class CallResult:
    """One call as measured: `declarations` the worker sent with DONE (claims),
    `wall_ns` from just before CALL to DONE, `cpu_ns` the worker's CPU over
    the same span and `tail_cpu_ns` the CPU it spent after DONE, before the
    next call (None without a meter; the tail is filled in at the next call
    or at settle())."""

    def __init__(self, op, seq, declared, wall_ns, cpu_ns):
        self.op, self.seq, self.declarations = op, seq, declared
        self.wall_ns, self.cpu_ns, self.tail_cpu_ns = wall_ns, cpu_ns, None

    @property
    def charged_ns(self):
        """max(wall, worker CPU over the call and its tail)."""
        cpu = (self.cpu_ns or 0) + (self.tail_cpu_ns or 0)
        return max(self.wall_ns, cpu)


def _fail_text(payload):
    return payload.decode("utf-8", "replace") or "(no reason given)"


class Judge:
    """One judged exchange. Not thread-safe; one call in flight at a time."""

    def __init__(self, sock, meter=None):
        self.channel = Channel(sock, FROM_WORKER)
        self.meter = meter
        self.seq = 0
        self.stage = "hello"  # hello -> share -> calls -> closed
        self.input = self.output = None
        self.results = []
        self._cpu_at_done = None
        self._cpu_open = None  # the meter reading that opened the call being prepared

    @classmethod
    def from_env(cls, environ=os.environ):
        """The judge for CAMBRIAN_WORKER_FD (and the CPU meter, if given).
        Raises Fault(JUDGE) when the descriptor is missing or not a
        SOCK_SEQPACKET socket."""
        raw = environ.get("CAMBRIAN_WORKER_FD", "")
        if not raw.isdigit():
            raise Fault(JUDGE, f"CAMBRIAN_WORKER_FD={raw!r} is not a descriptor: not run as a judge?")
        try:
            sock = socket.socket(fileno=int(raw))
        except OSError as error:
            raise Fault(JUDGE, f"CAMBRIAN_WORKER_FD={raw}: {error.strerror}") from None
        if sock.type != socket.SOCK_SEQPACKET:
            raise Fault(JUDGE, f"CAMBRIAN_WORKER_FD={raw} is not a SOCK_SEQPACKET socket")
        return cls(sock, cpu_meter.from_env(environ))

    def _read_cpu(self):
        return self.meter.read_ns() if self.meter else None

    def _require(self, stage, what):
        if self.stage != stage:
            raise Fault(JUDGE, f"{what} while the exchange is at '{self.stage}'")

    def _parse(self, kind, payload):
        try:
            return declarations.parse(payload)
        except declarations.DeclarationError as error:
            raise Fault(PROTOCOL, f"{NAMES[kind]}: {error}") from None

    def hello(self, timeout):
        """Waits up to `timeout` seconds for HELLO; returns its declarations
        (a list of (name, value)). A FAIL instead is Fault(WORKER_FAILED)."""
        self._require("hello", "hello()")
        message = self.channel.receive(deadline_after(timeout))
        if message.type == FAIL:
            raise Fault(WORKER_FAILED, _fail_text(message.payload))
        if message.type != HELLO:
            raise Fault(PROTOCOL, f"{NAMES[message.type]} before HELLO")
        self.stage = "share"
        return self._parse(HELLO, message.payload)

    def share(self, input_bytes, output_bytes, timeout=10):
        """Creates, seals and sends the two buffers; returns the judge's
        writable views (input, output)."""
        self._require("share", "share()")
        self.input = SharedBuffer("cambrian-input", input_bytes, worker_writable=False)
        self.output = SharedBuffer("cambrian-output", output_bytes, worker_writable=True)
        try:
            self.channel.send(MEMORY, 0, MEMORY_SIZES.pack(input_bytes, output_bytes),
                              [self.input.fd, self.output.fd], deadline_after(timeout))
        finally:
            self.input.close_fd()
            self.output.close_fd()
        self.stage = "calls"
        self._cpu_at_done = self._read_cpu()
        return self.input.view, self.output.view

    def settle(self):
        """Charges the CPU the worker spent since the last DONE to the last
        call (done by call() itself before each new call)."""
        now = self._read_cpu()
        if self.results and now is not None and self._cpu_at_done is not None:
            last = self.results[-1]
            last.tail_cpu_ns = (last.tail_cpu_ns or 0) + now - self._cpu_at_done
        self._cpu_at_done = now
        return now

    def open_call(self):
        """Step 1 of a call (kernels/PROTOCOL.md): reads the CPU meter, which
        ends the previous call's tail and opens this one. Call it before
        writing the inputs: the worker sees them appear in the shared buffer,
        and CPU it spends on them before CALL belongs to this call. call()
        opens the call itself when this was not done."""
        self._require("calls", "open_call()")
        self._cpu_open = self.settle()

    def call(self, op, args=(), timeout=None):
        """Sends CALL(op, args) and waits up to `timeout` seconds for its DONE.
        Returns a CallResult. Anything waiting on the socket before the CALL
        (a message outside a call) is Fault(PROTOCOL)."""
        self._require("calls", "call()")
        args = list(args) + [0] * (7 - len(args))
        if len(args) != 7 or not all(0 <= a <= MAX_ARG for a in [op] + args):
            raise Fault(JUDGE, f"call arguments {[op] + args} are not 8 u64 values")
        if self.channel.readable():
            early = self.channel.receive(deadline_after(0))  # raises on end of file
            raise Fault(PROTOCOL, f"{NAMES[early.type]} (seq {early.seq}) outside a call")
        cpu_before = self._cpu_open if self._cpu_open is not None else self.settle()
        self._cpu_open = None
        self.seq += 1
        start = time.perf_counter_ns()
        self.channel.send(CALL, self.seq, CALL_ARGS.pack(op, *args), deadline=deadline_after(timeout))
        message = self.channel.receive(deadline_after(timeout))
        wall = time.perf_counter_ns() - start
        if message.type == FAIL and message.seq in (0, self.seq):
            raise Fault(WORKER_FAILED, _fail_text(message.payload))
        if message.type != DONE:
            raise Fault(PROTOCOL, f"{NAMES[message.type]} in answer to CALL {self.seq}")
        if message.seq != self.seq:
            raise Fault(PROTOCOL, f"DONE for call {message.seq} in answer to CALL {self.seq}")
        declared = self._parse(DONE, message.payload)
        cpu_after = self._read_cpu()
        cpu = None if cpu_before is None else cpu_after - cpu_before
        self._cpu_at_done = cpu_after
        result = CallResult(op, self.seq, declared, wall, cpu)
        self.results.append(result)
        return result

    def bye(self, timeout=5):
        """Charges the last call's tail, sends BYE (a worker already gone is
        fine) and closes the socket."""
        if self.stage == "calls":
            self.settle()
        try:
            self.channel.send(BYE, 0, deadline=deadline_after(timeout))
        except Fault:
            pass
        self.stage = "closed"
        self.channel.close()
