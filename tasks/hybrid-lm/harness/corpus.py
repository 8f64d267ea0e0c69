"""The hybrid-lm corpus: Perl 5.36's core library as Debian 12 installs it
(/usr/share/perl/5.36, package perl-modules-5.36): every *.pm and *.pod file
except two generated data tables (Module/CoreList*, Unicode/Collate/CJK/*)
and pod/ (perldiag.pod; perl-doc installs the rest of the manual there),
534 files, 8.6 MB of code and English documentation (POD).

Chosen because the candidate's process must not be able to read it: the
task's [trusted] hidden masks it (and every other copy of Perl's library)
in every job that runs candidate code, which the Python standard library,
the previous corpus, could not be (the worker's interpreter needs it).

Files are taken in byte-wise sorted order of their path under the root; each
is preceded by a header line "# ==== PATH". Every tenth file (index % 10 ==
5) is validation, the rest training, so no file is on both sides. The
SHA-256 of the whole corpus is compared with EXPECTED_SHA256; a different
corpus is reported (corpus_match = 0 and a note), never silently scored as
if it were the same.
"""
import hashlib
import os
import sys

ROOT = "/usr/share/perl/5.36"
# Generated data tables, and pod/, where perl-doc (when installed) adds the
# manual: the corpus must not depend on which optional packages a machine has.
EXCLUDED = ("Module/CoreList", "Unicode/Collate/CJK/", "pod/")
# The corpus as built on Debian 12 with perl-modules-5.36 5.36.0-7+deb12u2.
EXPECTED_SHA256 = "3e32b375d7ef93eaa5616a3cff9d6235387a2bbc61bd53a41dc8e581b80cdb79"


def file_names(root=ROOT):
    names = []
    for directory, _, files in os.walk(root, followlinks=True):
        for name in files:
            path = os.path.relpath(os.path.join(directory, name), root)
            if path.endswith((".pm", ".pod")) and not path.startswith(EXCLUDED):
                names.append(path)
    return sorted(names, key=os.fsencode)


def build(root=ROOT):
    """Returns (train bytes, validation bytes, sha256 hex, number of files)."""
    names = file_names(root)
    if not names:
        sys.exit(f"hybrid-lm corpus: no *.pm or *.pod files under {root} (is perl-modules-5.36 "
                 "installed, and is this the judge, which sees it?)")
    train, val = [], []
    digest = hashlib.sha256()
    for i, name in enumerate(names):
        with open(os.path.join(root, name), "rb") as f:
            text = f"# ==== {name}\n".encode() + f.read()
        digest.update(text)
        (val if i % 10 == 5 else train).append(text)
    return b"".join(train), b"".join(val), digest.hexdigest(), len(names)


if __name__ == "__main__":
    train, val, sha, files = build()
    print(f"{ROOT}: {files} files, train {len(train)} bytes, validation {len(val)} bytes, sha256 {sha}")
