"""A filesystem lockdown for a worker process: a Landlock ruleset (the Linux
security module for unprivileged sandboxing, 5.13+) that a trusted worker
script applies to itself before it loads any candidate code.

  abi = lockdown.available()            # 0: this kernel has no Landlock
  lockdown.restrict(read=[model_dir])   # irreversible; children inherit it

After `restrict` the process and everything it starts can open, list, create,
remove or execute nothing on the filesystem except what the rules allow:
files and directories under `read` for reading, under `write` also for
writing, creating and removing, and the device files in `devices` for
reading, writing and ioctl. What is already open stays usable (the judge's
socket, stdout, mapped libraries); path walks and stat() are not restricted
(Landlock does not cover them), so names and sizes stay visible but not
contents. Where the kernel knows them (ABI 4 and 6), TCP bind/connect and
signals or abstract unix sockets towards processes outside the lockdown are
denied too.

Landlock cannot be undone: a later ruleset can only narrow it further, and
PR_SET_NO_NEW_PRIVS (set here) cannot be cleared, so a candidate that runs
after `restrict` inherits the lockdown whatever it does. Standard library
only (ctypes for the three system calls).
"""
import ctypes
import errno
import os
import platform
import re
import stat

# System call numbers: the same on every architecture but alpha since the
# syscall tables were unified (Linux 5.1), which Landlock (5.13) postdates.
SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1 << 0
RULE_PATH_BENEATH = 1
PR_SET_NO_NEW_PRIVS = 38

# Filesystem access rights (include/uapi/linux/landlock.h), with the ABI that
# introduced each.
EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13  # ABI 2
TRUNCATE = 1 << 14  # ABI 3
IOCTL_DEV = 1 << 15  # ABI 5
FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1,
             5: (1 << 16) - 1}
# Network (ABI 4) and scopes (ABI 6).
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

# The rights a rule on a file (not a directory) may carry.
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
READ = READ_FILE | READ_DIR
WRITE = (READ | WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_DIR | MAKE_REG | MAKE_SYM | REFER
         | TRUNCATE)
DEVICE = READ_FILE | WRITE_FILE | IOCTL_DEV


class RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # the kernel's struct is __attribute__((packed)): 12 bytes
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class Unavailable(OSError):
    """The kernel has no Landlock (too old, or the LSM is not enabled)."""


_libc = None


def _c():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.syscall.restype = ctypes.c_long
    return _libc


def _check(result, what):
    if result < 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")
    return result


def _syscall(number, *args):
    """syscall(2) through ctypes; returns the result or raises OSError."""
    return _check(_c().syscall(ctypes.c_long(number), *args), f"syscall {number}")


def available():
    """The Landlock ABI version this kernel offers (1, 2, ...), or 0 when it
    has none (ENOSYS: not built in; EOPNOTSUPP: built in but not enabled;
    EPERM: a container's seccomp filter refuses the call)."""
    if platform.system() != "Linux" or platform.machine().startswith("alpha"):
        return 0
    try:
        return _syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0),
                        ctypes.c_uint32(CREATE_RULESET_VERSION))
    except OSError as error:
        if error.errno in (errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM):
            return 0
        raise


def _ruleset_attr(abi):
    """The ruleset's handled rights for `abi` and the size of the struct that
    ABI knows (a larger one with non-zero fields would be refused)."""
    attr = RulesetAttr(FS_BY_ABI[min(abi, 5)], 0, 0)
    size = 8
    if abi >= 4:
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
        size = 16
    if abi >= 6:
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        size = 24
    return attr, size


def _add_rule(ruleset, path, access, handled):
    """Allows `access` (masked to what the ruleset handles, and to file rights
    on a non-directory) beneath `path`. A missing path is skipped: False."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            access &= FILE_RIGHTS
        rule = PathBeneathAttr(access & handled, fd)
        _syscall(SYS_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(RULE_PATH_BENEATH),
                 ctypes.byref(rule), ctypes.c_uint32(0))
    except OSError as error:
        raise OSError(error.errno, f"landlock rule for {path}: {error.strerror}") from None
    finally:
        os.close(fd)
    return True


def restrict(read=(), write=(), devices=()):
    """Locks this process (and every process it starts from now on) out of
    the filesystem except: `read` paths (files, or directories and all
    beneath them) for reading and listing; `write` paths for that and for
    writing, creating, renaming into and removing; `devices` (device files)
    for reading, writing and ioctl. Paths that do not exist are skipped.
    Returns the ABI version used. Raises Unavailable (nothing done) where the
    kernel has no Landlock, OSError if a step fails (the process may then be
    left with PR_SET_NO_NEW_PRIVS set and nothing else)."""
    abi = available()
    if abi == 0:
        raise Unavailable(errno.EOPNOTSUPP, "this kernel offers no Landlock")
    attr, size = _ruleset_attr(abi)
    ruleset = _syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size),
                       ctypes.c_uint32(0))
    try:
        for paths, access in ((read, READ), (write, WRITE), (devices, DEVICE)):
            for path in paths:
                _add_rule(ruleset, path, access, attr.handled_access_fs)
        # Required for an unprivileged process, and it keeps a setuid program
        # from being a way out.
        _check(_c().prctl(ctypes.c_int(PR_SET_NO_NEW_PRIVS), ctypes.c_ulong(1), ctypes.c_ulong(0),
                          ctypes.c_ulong(0), ctypes.c_ulong(0)), "prctl(PR_SET_NO_NEW_PRIVS)")
        _syscall(SYS_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0))
    finally:
        os.close(ruleset)
    return abi


_SHARED_OBJECT = re.compile(r".+\.so(\.[0-9]+)*\Z")


def _is_shared_object(name):
    return _SHARED_OBJECT.match(os.path.basename(name)) is not None


def mapped_library_dirs():
    """The directories of the shared objects this process has mapped (from
    /proc/self/maps): where a library loaded so far will look for the ones it
    loads later. Read it before `restrict`."""
    dirs = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            if len(fields) == 6 and fields[5].startswith("/") and _is_shared_object(fields[5].strip()):
                dirs.add(os.path.dirname(fields[5].strip()))
    return sorted(dirs)


def shared_objects(dirs):
    """The shared-object files (name *.so or *.so.N.N...) directly in `dirs`,
    links resolved: rules for dlopen that open no other file of those
    directories. Missing directories are skipped."""
    found = set()
    for directory in dirs:
        try:
            names = os.listdir(directory)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in names:
            path = os.path.realpath(os.path.join(directory, name))
            if _is_shared_object(name) and os.path.isfile(path):
                found.add(path)
    return sorted(found)
