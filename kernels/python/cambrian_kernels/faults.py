"""How a judged exchange can go wrong (kernels/PROTOCOL.md, "Failures").

A Fault is a result about the peer, except kind "judge", which means the
judge itself is broken (a task bug or a broken machine): a judge then exits
non-zero instead of scoring anything. The kind names match kernels/cpp/fault.h.
"""

PROTOCOL = "protocol"  # a message that breaks the protocol
TIMEOUT = "timeout"  # the peer did not answer before the deadline
PEER_GONE = "worker_gone"  # end of file on the socket: the peer exited or closed it
WORKER_FAILED = "worker_failed"  # the worker sent FAIL
JUDGE = "judge"  # the judge's own operation failed

KINDS = (PROTOCOL, TIMEOUT, PEER_GONE, WORKER_FAILED, JUDGE)
MAX_REASON_CHARS = 512


def printable(text, limit=MAX_REASON_CHARS):
    """`text` with every character outside printable ASCII replaced by '?',
    cut to `limit` characters: safe to quote in feedback whatever a worker sent."""
    clean = "".join(c if " " <= c <= "~" else "?" for c in str(text)[: limit + 1])
    return clean if len(clean) <= limit else clean[: limit - 3] + "..."


class Fault(Exception):
    """A failed exchange: `kind` (one of KINDS) and a short `reason`."""

    def __init__(self, kind, reason):
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        super().__init__(f"{kind}: {reason}")
        self.kind = kind
        self.reason = printable(reason)

    def describe(self):
        """"<kind>: <reason>", for feedback."""
        return f"{self.kind}: {self.reason}"
