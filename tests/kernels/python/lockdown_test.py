"""The filesystem lockdown (kernels/python/cambrian_kernels/lockdown.py): a
child process that locks itself can read only what its rules allow (EACCES
elsewhere), write nothing outside its writable paths, execute nothing,
cannot undo the lock, and passes it on to the processes it forks. Every
check runs in a fresh child, since a lockdown is irreversible. Skipped,
said, where the kernel has no Landlock.
Run: python3 -B tests/kernels/python/lockdown_test.py [-v]
"""
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

KERNELS_PY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "kernels", "python")
sys.path.insert(0, KERNELS_PY)
from cambrian_kernels import lockdown  # noqa: E402

ABI = lockdown.available()

# The child: applies the rules given as JSON in argv[1], then runs the test's
# code, which records what happened in `seen`; prints seen as JSON. What the
# code uses is imported first: after the lock no module file can be read.
CHILD = """
import ctypes, errno, json, os, subprocess, sys
sys.path.insert(0, {kernels!r})
from cambrian_kernels import lockdown
rules = json.loads(sys.argv[1])
seen = {{}}

def attempt(name, action):
    try:
        result = action()
        seen[name] = "ok" if result is None else result
    except OSError as error:
        seen[name] = errno.errorcode.get(error.errno, str(error.errno))

def read(path):
    with open(path, "rb") as f:
        return len(f.read())

seen["abi"] = lockdown.restrict(**rules)
{code}
print(json.dumps(seen))
"""


def run_locked(code, **rules):
    """What `code` recorded in a child locked with `rules`."""
    script = CHILD.format(kernels=os.path.abspath(KERNELS_PY), code=textwrap.dedent(code))
    result = subprocess.run([sys.executable, "-I", "-B", "-c", script, json.dumps(rules)],
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise AssertionError(f"the locked child failed ({result.returncode}): {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


class AvailableTest(unittest.TestCase):
    def test_reports_a_version_or_zero(self):
        self.assertIsInstance(ABI, int)
        self.assertGreaterEqual(ABI, 0)

    def test_handled_rights_grow_with_the_abi(self):
        for abi in range(1, 8):
            attr, size = lockdown._ruleset_attr(abi)
            self.assertEqual(size, 8 if abi < 4 else 16 if abi < 6 else 24)
            self.assertTrue(attr.handled_access_fs & lockdown.READ_FILE)
            self.assertEqual(bool(attr.handled_access_fs & lockdown.TRUNCATE), abi >= 3)
            self.assertEqual(bool(attr.handled_access_fs & lockdown.IOCTL_DEV), abi >= 5)


@unittest.skipIf(ABI == 0, "this kernel has no Landlock")
class LockdownTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="lockdown-test-")
        self.allowed = os.path.join(self.dir, "allowed")
        self.denied = os.path.join(self.dir, "denied")
        self.shared = os.path.join(self.dir, "shared")
        os.mkdir(self.shared)
        for path in (self.allowed, self.denied, os.path.join(self.shared, "inside")):
            with open(path, "w") as f:
                f.write("some text\n")

    def tearDown(self):
        subprocess.run(["rm", "-rf", self.dir], check=True)

    def test_reads_only_what_the_rules_allow(self):
        seen = run_locked(f"""
            attempt("allowed", lambda: read({self.allowed!r}))
            attempt("denied", lambda: read({self.denied!r}))
            attempt("inside", lambda: read({os.path.join(self.shared, 'inside')!r}))
            attempt("list_shared", lambda: len(os.listdir({self.shared!r})))
            attempt("list_parent", lambda: os.listdir({self.dir!r}))
            attempt("stdlib", lambda: read(os.__file__))
            attempt("os_open", lambda: os.open({self.denied!r}, os.O_RDONLY))
            attempt("stat", lambda: os.stat({self.denied!r}).st_size)
            """, read=[self.allowed, self.shared])
        self.assertGreaterEqual(seen["abi"], 1)
        self.assertEqual(seen["allowed"], 10)
        self.assertEqual(seen["inside"], 10)
        self.assertEqual(seen["list_shared"], 1)
        for name in ("denied", "list_parent", "stdlib", "os_open"):
            self.assertEqual(seen[name], "EACCES", name)
        self.assertEqual(seen["stat"], 10)  # Landlock does not cover stat: names and sizes stay visible

    def test_a_denied_file_stays_denied_through_proc_links(self):
        seen = run_locked(f"""
            fd = os.open({self.denied!r}, os.O_PATH)
            attempt("fd_link", lambda: read(f"/proc/self/fd/{{fd}}"))
            attempt("root_link", lambda: read("/proc/self/root" + {self.denied!r}))
            """, read=["/proc/self"])
        self.assertEqual(seen["fd_link"], "EACCES")
        self.assertEqual(seen["root_link"], "EACCES")

    def test_writes_only_beneath_writable_paths(self):
        seen = run_locked(f"""
            def create(path):
                with open(path, "w") as f:
                    f.write("x")
            attempt("create_denied", lambda: create({os.path.join(self.dir, 'new')!r}))
            attempt("overwrite_denied", lambda: create({self.denied!r}))
            attempt("create_shared", lambda: create({os.path.join(self.shared, 'new')!r}))
            attempt("remove_shared", lambda: os.unlink({os.path.join(self.shared, 'new')!r}))
            attempt("mkdir_denied", lambda: os.mkdir({os.path.join(self.dir, 'sub')!r}))
            attempt("null", lambda: os.write(os.open("/dev/null", os.O_WRONLY), b"x"))
            """, write=[self.shared], devices=["/dev/null"])
        for name in ("create_denied", "overwrite_denied", "mkdir_denied"):
            self.assertEqual(seen[name], "EACCES", name)
        self.assertEqual((seen["create_shared"], seen["remove_shared"], seen["null"]), ("ok", "ok", 1))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "new")))
        with open(self.denied) as f:
            self.assertEqual(f.read(), "some text\n")

    def test_cannot_be_undone(self):
        seen = run_locked(f"""
            attempt("again", lambda: lockdown.restrict(read=["/"]))
            attempt("after", lambda: read({self.denied!r}))
            libc = ctypes.CDLL(None, use_errno=True)
            seen["clear_no_new_privs"] = libc.prctl(38, 0, 0, 0, 0)
            seen["no_new_privs"] = libc.prctl(39, 0, 0, 0, 0)
            """, read=[self.allowed])
        self.assertEqual(seen["after"], "EACCES")  # a second ruleset only narrows the first
        self.assertEqual(seen["clear_no_new_privs"], -1)
        self.assertEqual(seen["no_new_privs"], 1)

    def test_children_inherit_it_and_cannot_execute(self):
        seen = run_locked(f"""
            pid = os.fork()
            if pid == 0:
                try:
                    read({self.denied!r})
                    os._exit(0)
                except PermissionError:
                    os._exit(13)
            seen["child_status"] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
            attempt("exec", lambda: subprocess.run(["/bin/cat", {self.denied!r}]).returncode)
            """, read=[self.allowed])
        self.assertEqual(seen["child_status"], 13)
        self.assertEqual(seen["exec"], "EACCES")

    @unittest.skipIf(ABI < 6, "signal scoping needs Landlock ABI 6")
    def test_cannot_signal_a_process_outside_it(self):
        seen = run_locked("""
            attempt("parent", lambda: os.kill(os.getppid(), 0))
            attempt("self", lambda: os.kill(os.getpid(), 0))
            """)
        self.assertEqual(seen["parent"], "EPERM")
        self.assertEqual(seen["self"], "ok")

    def test_missing_paths_are_skipped(self):
        seen = run_locked(f"""
            attempt("allowed", lambda: read({self.allowed!r}))
            """, read=[os.path.join(self.dir, "missing"), self.allowed])
        self.assertEqual(seen["allowed"], 10)


class UnavailableTest(unittest.TestCase):
    def test_restrict_does_nothing_without_landlock(self):
        saved = lockdown.available
        lockdown.available = lambda: 0  # a kernel without Landlock
        try:
            with self.assertRaises(lockdown.Unavailable):
                lockdown.restrict(read=[os.devnull])
        finally:
            lockdown.available = saved
        with open(os.__file__, "rb") as f:  # this process is not locked
            self.assertTrue(f.read(1))


class WithoutLandlockTest(unittest.TestCase):
    """A real kernel refusal (a seccomp filter, without_landlock.py): the
    library must say 0 and lock nothing, whichever errno the kernel gives."""

    def test_no_landlock_means_nothing_locked(self):
        probe = textwrap.dedent(f"""
            import sys
            sys.path.insert(0, {os.path.abspath(KERNELS_PY)!r})
            from cambrian_kernels import lockdown
            abi, refused = lockdown.available(), False
            try:
                lockdown.restrict(read=[])
            except lockdown.Unavailable:
                refused = True
            with open(lockdown.__file__, "rb") as f:
                print(abi, refused, len(f.read()) > 0)
            """)
        helper = os.path.join(os.path.dirname(os.path.abspath(__file__)), "without_landlock.py")
        for code in ("ENOSYS", "EOPNOTSUPP", "EPERM"):
            result = subprocess.run([sys.executable, "-B", helper, "--errno", code, "--", sys.executable,
                                     "-I", "-B", "-c", probe], capture_output=True, text=True, timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr[-2000:])
            self.assertEqual(result.stdout.split(), ["0", "True", "True"], code)


class SharedObjectsTest(unittest.TestCase):
    def test_finds_the_libraries_this_process_maps(self):
        dirs = lockdown.mapped_library_dirs()
        self.assertTrue(dirs, "no shared object mapped?")
        found = lockdown.shared_objects(dirs)
        self.assertTrue(any(os.path.basename(p).startswith("libc.so") for p in found), found[:20])
        self.assertTrue(all(lockdown._is_shared_object(p) and os.path.isfile(p) for p in found))

    def test_skips_other_files_and_missing_directories(self):
        with tempfile.TemporaryDirectory() as d:
            for name in ("libx.so", "liby.so.1.2", "notes.txt", "libz.so.py", "so"):
                open(os.path.join(d, name), "w").close()
            names = [os.path.basename(p) for p in lockdown.shared_objects([d, os.path.join(d, "no")])]
            self.assertEqual(sorted(names), ["libx.so", "liby.so.1.2"])


if __name__ == "__main__":
    if ABI == 0:
        print("lockdown_test: this kernel has no Landlock; the lockdown itself is not tested",
              file=sys.stderr)
    unittest.main()
