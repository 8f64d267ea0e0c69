"""The two shared-memory buffers of a judged stage (kernels/PROTOCOL.md,
"Buffers"): the judge creates and seals them, the worker maps them.

Every buffer is a memfd sealed F_SEAL_SHRINK | F_SEAL_GROW (the worker
cannot truncate it under the judge, whose access would then die of SIGBUS),
the input also F_SEAL_FUTURE_WRITE (Linux 5.1: no new writable mapping and
no write() through any descriptor, while the judge keeps the writable
mapping it made before sealing), then F_SEAL_SEAL. The seals are read back.
"""
import fcntl
import mmap
import os

from .faults import JUDGE, PROTOCOL, Fault

F_ADD_SEALS = getattr(fcntl, "F_ADD_SEALS", 1033)
F_GET_SEALS = getattr(fcntl, "F_GET_SEALS", 1034)
F_SEAL_SEAL = getattr(fcntl, "F_SEAL_SEAL", 0x1)
F_SEAL_SHRINK = getattr(fcntl, "F_SEAL_SHRINK", 0x2)
F_SEAL_GROW = getattr(fcntl, "F_SEAL_GROW", 0x4)
F_SEAL_FUTURE_WRITE = getattr(fcntl, "F_SEAL_FUTURE_WRITE", 0x10)
MAX_BYTES = 1 << 40  # a judge asking for more is broken


class SharedBuffer:
    """A judge's buffer: a sealed memfd (`fd`, to send, then close_fd()) and
    the judge's own writable mapping (`view`, a memoryview of `size` bytes)."""

    def __init__(self, name, size, worker_writable):
        if not 0 <= size <= MAX_BYTES:
            raise Fault(JUDGE, f"buffer {name}: {size} bytes is out of range")
        try:
            self.fd = os.memfd_create(name, os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        except OSError as error:
            raise Fault(JUDGE, f"memfd_create({name}): {error.strerror}") from None
        self.size = size
        self.mapping = None
        try:
            os.ftruncate(self.fd, size)
            if size:
                self.mapping = mmap.mmap(self.fd, size, flags=mmap.MAP_SHARED,
                                         prot=mmap.PROT_READ | mmap.PROT_WRITE)
            seals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL
            if not worker_writable:
                seals |= F_SEAL_FUTURE_WRITE
            fcntl.fcntl(self.fd, F_ADD_SEALS, seals)
            if fcntl.fcntl(self.fd, F_GET_SEALS) & seals != seals:
                raise Fault(JUDGE, f"buffer {name}: the seals did not hold")
        except OSError as error:
            os.close(self.fd)
            raise Fault(JUDGE, f"buffer {name}: {error.strerror} while sizing, mapping or sealing") from None
        self.view = memoryview(self.mapping) if self.mapping is not None else memoryview(bytearray())

    def close_fd(self):
        """Closes the memfd once it has been sent; the mapping stays."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def map_for_worker(fd, size, writable):
    """The worker's mapping of a received memfd: MAP_SHARED, read-only unless
    `writable`, after checking that the file holds exactly `size` bytes. The
    descriptor is closed either way. Returns an mmap, or None for size 0.
    Raises Fault(PROTOCOL) when the memfd does not match what MEMORY said."""
    try:
        actual = os.fstat(fd).st_size
        if actual != size:
            raise Fault(PROTOCOL, f"a buffer of {actual} bytes where MEMORY said {size}")
        if size == 0:
            return None
        prot = mmap.PROT_READ | (mmap.PROT_WRITE if writable else 0)
        try:
            return mmap.mmap(fd, size, flags=mmap.MAP_SHARED, prot=prot)
        except OSError as error:
            raise Fault(PROTOCOL, f"cannot map a buffer: {error.strerror}") from None
    finally:
        os.close(fd)
