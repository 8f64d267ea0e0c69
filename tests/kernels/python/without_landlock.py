#!/usr/bin/env python3
"""Runs a command as if the kernel had no Landlock: a seccomp filter makes
the three Landlock system calls fail with ENOSYS (or the errno given), as on
a kernel built without it (or a container that filters it), for this
process and everything it starts. For testing what a lockdown does where it
cannot lock (x86_64 and the other architectures that number them 444-446).

  without_landlock.py [--errno EPERM] -- COMMAND [ARG...]
"""
import ctypes
import errno
import os
import sys

PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
SECCOMP_RET_ERRNO, SECCOMP_RET_ALLOW = 0x00050000, 0x7FFF0000
LD_W_ABS, JGE_K, JGT_K, RET_K = 0x20, 0x35, 0x25, 0x06
FIRST, LAST = 444, 446  # landlock_create_ruleset .. landlock_restrict_self


class SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8),
                ("k", ctypes.c_uint32)]


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]


def install(code):
    """Filters this process: system calls FIRST..LAST fail with `code`."""
    program = (SockFilter * 5)(
        SockFilter(LD_W_ABS, 0, 0, 0),  # the system call number
        SockFilter(JGE_K, 0, 2, FIRST),  # below FIRST: allow
        SockFilter(JGT_K, 1, 0, LAST),  # above LAST: allow
        SockFilter(RET_K, 0, 0, SECCOMP_RET_ERRNO | code),
        SockFilter(RET_K, 0, 0, SECCOMP_RET_ALLOW))
    prog = SockFprog(len(program), program)
    libc = ctypes.CDLL(None, use_errno=True)
    for args in ((PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0),
                 (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0)):
        if libc.prctl(*args) != 0:
            raise OSError(ctypes.get_errno(), "prctl")


def main():
    argv = sys.argv[1:]
    code = errno.ENOSYS
    if argv[:1] == ["--errno"]:
        code, argv = getattr(errno, argv[1]), argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        sys.exit(__doc__)
    install(code)
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    main()
