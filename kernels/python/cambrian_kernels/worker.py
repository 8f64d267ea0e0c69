"""The worker's side of the protocol (kernels/PROTOCOL.md): says HELLO with
its declarations, maps the buffers the judge shares, answers each CALL with
DONE (or FAIL) and exits on BYE or end of file.

  worker = Worker.from_env()
  worker.start({"params": 1234})        # HELLO, then MEMORY: worker.input / .output
  worker.serve(handle)                  # handle(call) -> declarations or None
  worker.exit()

`input` is a read-only mmap, `output` a writable one (None for 0 bytes). This
code runs in the candidate's process and is the candidate's to change: a
judge relies on nothing it does.
"""
import os
import socket
import sys
import traceback
from collections import namedtuple

from . import declarations
from .buffers import map_for_worker
from .faults import PEER_GONE, PROTOCOL, Fault
from .protocol import (BYE, CALL, CALL_ARGS, DONE, FAIL, FROM_JUDGE, HELLO, MAX_PAYLOAD, MEMORY,
                       MEMORY_SIZES, NAMES, Channel, deadline_after)

Call = namedtuple("Call", "seq op args")
MAX_FAIL_BYTES = 4000


class Worker:
    """One worker's end of the exchange. Not thread-safe."""

    def __init__(self, sock):
        self.channel = Channel(sock, FROM_JUDGE)
        self.input = self.output = None
        self.seq = 0

    @classmethod
    def from_env(cls, environ=os.environ):
        raw = environ.get("CAMBRIAN_JUDGE_FD", "")
        if not raw.isdigit():
            raise RuntimeError(f"CAMBRIAN_JUDGE_FD={raw!r} is not a descriptor: not run as a worker?")
        return cls(socket.socket(fileno=int(raw)))

    def start(self, declared=(), timeout=600):
        """Sends HELLO with `declared` (dict or list of pairs), waits up to
        `timeout` seconds for MEMORY and maps the buffers. Raises Fault."""
        self.channel.send(HELLO, 0, declarations.dump(declared), deadline=deadline_after(timeout))
        message = self.channel.receive(deadline_after(timeout))
        if message.type != MEMORY:
            raise Fault(PROTOCOL, f"{NAMES[message.type]} where MEMORY was expected")
        input_bytes, output_bytes = MEMORY_SIZES.unpack(message.payload)
        input_fd, output_fd = message.fds
        try:
            self.input = map_for_worker(input_fd, input_bytes, writable=False)
        finally:
            self.output = map_for_worker(output_fd, output_bytes, writable=True)
        return self.input, self.output

    def fail(self, text, seq=0):
        """Sends FAIL with `text` (cut to MAX_FAIL_BYTES); a judge already gone is fine."""
        payload = str(text).encode("utf-8", "replace")[:MAX_FAIL_BYTES]
        try:
            whole = payload.decode("utf-8", "ignore").encode()  # no character cut in half
            self.channel.send(FAIL, seq, whole, deadline=deadline_after(5))
        except Fault:
            pass

    def serve(self, handle, idle_timeout=None):
        """Answers CALLs with `handle(Call)` until BYE or end of file (returns
        the reason: "bye" or "gone"). handle returns the DONE declarations
        (dict, pairs or None); an exception from it is sent as FAIL with its
        message and re-raised. `idle_timeout`: seconds to wait for each message
        (None: until the judge speaks or goes)."""
        while True:
            try:
                message = self.channel.receive(deadline_after(idle_timeout))
            except Fault as fault:
                if fault.kind == PEER_GONE:
                    return "gone"
                raise
            for fd in message.fds:
                os.close(fd)
            if message.type == BYE:
                return "bye"
            if message.type != CALL or message.seq != self.seq + 1:
                raise Fault(PROTOCOL, f"{NAMES[message.type]} {message.seq} after call {self.seq}")
            self.seq = message.seq
            op, *args = CALL_ARGS.unpack(message.payload)
            try:
                declared = handle(Call(self.seq, op, tuple(args)))
                payload = declarations.dump(declared or [])
            except Exception as error:
                self.fail(f"{type(error).__name__}: {error}", self.seq)
                raise
            if len(payload) > MAX_PAYLOAD:
                raise ValueError("DONE declarations over 64 KiB")
            self.channel.send(DONE, self.seq, payload)

    def exit(self, status=0):
        """Flushes stdio and ends the process at once."""
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def run(declared, handle, idle_timeout=None):
    """The whole life of a simple worker: start, serve, exit 0 on BYE or end
    of file, 1 (after FAIL and a traceback on stderr) on an error."""
    worker = Worker.from_env()
    try:
        worker.start(declared)
        worker.serve(handle, idle_timeout)
    except Exception:
        traceback.print_exc()
        worker.exit(1)
    worker.exit(0)
