"""The hybrid-lm corpus: the top-level modules of Python 3.11's standard
library, /usr/lib/python3.11/*.py, as Debian 12 installs them
(libpython3.11-minimal and libpython3.11-stdlib, pulled in by the python3
package). They are on every machine that can run this task's Debian setup,
hold 4.7 MB of English prose (docstrings, comments) mixed with code, and
change only when Debian ships a new 3.11 point release.

Files are taken in byte-wise sorted name order; each is preceded by a header
line naming it. Every tenth file (index % 10 == 5) is validation, the rest is
training, so no file is split between the two. The SHA-256 of the whole
corpus is compared with EXPECTED_SHA256; a different corpus is reported
(corpus_match = 0 and a note), never silently scored as if it were the same.
"""
import glob
import hashlib
import os
import sys
import sysconfig

DEBIAN_STDLIB = "/usr/lib/python3.11"
# The corpus as built on Debian 12 with libpython3.11-stdlib 3.11.2-6+deb12u6.
EXPECTED_SHA256 = "65c8cd856480c69752062886d5470821c36687743f4c9642572c8c38fae4607f"


def source_dir():
    """The Debian stdlib if present, else this interpreter's (reported as a mismatch)."""
    if os.path.isdir(DEBIAN_STDLIB):
        return DEBIAN_STDLIB
    return sysconfig.get_paths()["stdlib"]


def build():
    """Returns (train bytes, validation bytes, sha256 hex, source directory)."""
    root = source_dir()
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(root, "*.py")))
    if not names:
        sys.exit(f"corpus: no *.py files under {root}")
    train, val = [], []
    digest = hashlib.sha256()
    for i, name in enumerate(names):
        with open(os.path.join(root, name), "rb") as f:
            text = f"# ==== {name}\n".encode() + f.read()
        digest.update(text)
        (val if i % 10 == 5 else train).append(text)
    return b"".join(train), b"".join(val), digest.hexdigest(), root


if __name__ == "__main__":
    train, val, sha, root = build()
    print(f"{root}: train {len(train)} bytes, validation {len(val)} bytes, sha256 {sha}")
