"""The layering check (scripts/check_layers.py): the repository passes, and a
planted upward include in a scratch tree is caught with its file and line."""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import check_layers  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def write(root, path, text):
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as out:
        out.write(text)


class LayersTest(unittest.TestCase):
    def test_repository_follows_its_layers(self):
        self.assertEqual(check_layers.violations(ROOT), [])

    def test_upward_includes_are_caught(self):
        with tempfile.TemporaryDirectory() as root:
            write(root, "sandbox/job.cc", '#include "common/status.h"\n#include "evaluator/task.h"\n')
            write(root, "common/util.h", '// fine\n#include "orchestrator/cli.h"\n')
            write(root, "evaluator/ok.cc", '#include "sandbox/sandbox.h"\n#include "absl/x.h"\n')
            write(root, "kernels/cuda/judge.cu", '#include "gpu.h"\n#include "common/log.h"\n')
            found = check_layers.violations(root)
        self.assertEqual(len(found), 3, found)
        self.assertTrue(any(f.startswith("sandbox/job.cc:2: sandbox includes evaluator/") for f in found))
        self.assertTrue(any(f.startswith("common/util.h:2:") for f in found))
        self.assertTrue(any(f.startswith("kernels/cuda/judge.cu:2:") for f in found))


if __name__ == "__main__":
    unittest.main()
