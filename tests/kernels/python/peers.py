"""Judges and workers for the kernels library's Python tests, run as real
processes: `peers.py worker MODE` speaks the protocol on CAMBRIAN_JUDGE_FD
(honestly, or breaking it in the way MODE names); `peers.py judge` runs a
small exchange on CAMBRIAN_WORKER_FD and writes a report (for judge_pair.py).

The honest exchange: op 1 reverses the first arg[0] input bytes into the
output; op 2 sums them and declares the sum.
"""
import array
import ctypes
import errno
import mmap
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "kernels", "python"))
from cambrian_kernels import declarations, protocol, report  # noqa: E402
from cambrian_kernels.faults import Fault  # noqa: E402
from cambrian_kernels.judge import Judge  # noqa: E402
from cambrian_kernels.worker import Worker  # noqa: E402


def honest_handler(worker):
    def handle(call):
        n = call.args[0]
        if call.op == 1:
            worker.output[:n] = bytes(reversed(worker.input[:n]))
            return None
        if call.op == 2:
            return {"sum": sum(worker.input[:n])}
        raise ValueError(f"unknown op {call.op}")
    return handle


def raw_channel():
    return protocol.Channel(socket.socket(fileno=int(os.environ["CAMBRIAN_JUDGE_FD"])),
                            protocol.FROM_JUDGE)


def attempt(action):
    """'ok' if `action` succeeded, else the errno name (or exception type)."""
    try:
        action()
        return "ok"
    except OSError as error:
        return errno.errorcode.get(error.errno, str(error.errno))
    except Exception as error:  # mmap raises TypeError/ValueError for some misuses
        return type(error).__name__


def attack_buffers():
    """Receives MEMORY itself and tries to write or shrink the buffers every
    way a process can; declares what each attempt gave."""
    channel = raw_channel()
    channel.send(protocol.HELLO, 0)
    message = channel.receive(protocol.deadline_after(10))
    in_fd, out_fd = message.fds
    size_in, size_out = protocol.MEMORY_SIZES.unpack(message.payload)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                          ctypes.c_long]
    libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    results = {
        "map_input_writable": attempt(lambda: mmap.mmap(in_fd, size_in, flags=mmap.MAP_SHARED,
                                                        prot=mmap.PROT_READ | mmap.PROT_WRITE)),
        "write_input": attempt(lambda: os.pwrite(in_fd, b"X", 0)),
        "truncate_input": attempt(lambda: os.ftruncate(in_fd, 0)),
        "truncate_output": attempt(lambda: os.ftruncate(out_fd, 0)),
        "grow_output": attempt(lambda: os.ftruncate(out_fd, size_out * 2)),
    }

    def reopen_and_write():
        fd = os.open(f"/proc/self/fd/{in_fd}", os.O_RDWR)
        try:
            os.pwrite(fd, b"X", 0)
        finally:
            os.close(fd)
    results["reopen_input_write"] = attempt(reopen_and_write)

    def mprotect_input():
        address = libc.mmap(None, size_in, mmap.PROT_READ, mmap.MAP_SHARED, in_fd, 0)
        if address in (None, ctypes.c_void_p(-1).value):
            raise OSError(ctypes.get_errno(), "mmap")
        if libc.mprotect(address, size_in, mmap.PROT_READ | mmap.PROT_WRITE) != 0:
            raise OSError(ctypes.get_errno(), "mprotect")
        ctypes.memmove(address, b"X", 1)
    results["mprotect_input"] = attempt(mprotect_input)
    call = channel.receive(protocol.deadline_after(10))
    channel.send(protocol.DONE, call.seq, declarations.dump(results))
    channel.receive(protocol.deadline_after(10))


def send_raw(packet, fds=()):
    channel = raw_channel()
    rights = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
    channel.sock.sendmsg([packet], rights)
    time.sleep(30)


def main():
    role, mode = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "honest"
    if role == "judge":
        return run_judge()
    if mode == "honest":
        worker = Worker.from_env()
        worker.start({"kind": "honest", "params": 7})
        worker.serve(honest_handler(worker), idle_timeout=30)
        worker.exit(0)
    if mode == "silent":  # never says HELLO
        time.sleep(60)
    if mode == "hang":  # HELLO, then never answers the call
        worker = Worker.from_env()
        worker.start()
        time.sleep(60)
    if mode == "exit":  # HELLO, then exits at the first call
        worker = Worker.from_env()
        worker.start()
        worker.serve(lambda call: os._exit(0))
    if mode == "fail":
        worker = Worker.from_env()
        worker.start()
        worker.serve(lambda call: 1 / 0)
    if mode == "attack":
        return attack_buffers()
    if mode == "bad_magic":
        send_raw(b"XXXX" + bytes(12))
    if mode == "oversized":
        send_raw(protocol.HEADER.pack(protocol.MAGIC, protocol.HELLO, 0, 0) + bytes(70000))
    if mode == "short":
        send_raw(b"CCJ1")
    if mode == "fds_on_hello":
        send_raw(protocol.encode(protocol.HELLO, 0), [0, 1])
    if mode == "bad_declarations":
        send_raw(protocol.encode(protocol.HELLO, 0, b"params 1\n9lives x\n"))
    if mode == "call_from_worker":  # a type only a judge sends
        send_raw(protocol.encode(protocol.CALL, 1, bytes(64)))
    if mode in ("early_done", "wrong_seq", "double_done", "flood"):
        return misbehave(mode)
    sys.exit(f"unknown mode {mode}")


def misbehave(mode):
    """A worker that answers out of order."""
    worker = Worker.from_env()
    worker.start()
    channel = worker.channel
    if mode == "early_done":  # DONE for call 1 before the CALL arrives
        channel.send(protocol.DONE, 1)
    elif mode == "flood":  # a stream of messages nobody asked for
        try:
            for _ in range(100000):
                channel.send(protocol.DONE, 1, b"x 1\n" * 1000, deadline=protocol.deadline_after(1))
        except Fault:
            pass
    call = channel.receive(protocol.deadline_after(30))
    if mode == "wrong_seq":
        channel.send(protocol.DONE, call.seq + 5)
    elif mode == "double_done":
        channel.send(protocol.DONE, call.seq)
        channel.send(protocol.DONE, call.seq)
    time.sleep(30)


def run_judge():
    """A small judged exchange for judge_pair.py: two calls against the
    honest worker, each verified; the report says what happened."""
    judge = Judge.from_env()
    try:
        declared = judge.hello(timeout=30)
        inputs, outputs = judge.share(64, 64)
        data = os.getrandom(16)
        inputs[:16] = data
        outputs[:16] = bytes(16)
        judge.call(1, [16], timeout=30)
        reversed_ok = bytes(outputs[:16]) == data[::-1]
        summed = declarations.number(judge.call(2, [16], timeout=30).declarations, "sum")
        judge.bye()
        report.finish({"reversed_ok": reversed_ok, "sum_ok": summed == sum(data),
                       "declared_params": declarations.number(declared, "params") or 0},
                      f"worker declared {declared}")
    except Fault as fault:
        report.finish({"reversed_ok": 0, "sum_ok": 0}, fault.describe())


if __name__ == "__main__":
    main()
