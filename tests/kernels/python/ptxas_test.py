"""Compile-time facts from ptxas's log (kernels/python/cambrian_kernels/ptxas.py):
the named kernel at the highest architecture, stack sizes and spills
included, and lines a source's own warnings print ignored.
Run: python3 -B tests/kernels/python/ptxas_test.py [-v]
"""
import json
import os
import sys
import tempfile
import unittest

KERNELS_PY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "kernels", "python")
sys.path.insert(0, KERNELS_PY)
from cambrian_kernels import ptxas  # noqa: E402

LOG = """ptxas info    : 0 bytes gmem, 28 bytes cmem[3]
ptxas info    : Compiling entry function 'helper' for 'sm_80'
ptxas info    : Function properties for helper
    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 8 registers, 380 bytes cmem[0]
ptxas info    : Compiling entry function 'sgemm' for 'sm_80'
ptxas info    : Function properties for sgemm
    120 bytes stack frame, 300 bytes spill stores, 260 bytes spill loads
ptxas info    : Used 64 registers, used 1 barriers, 120 bytes cumulative stack size, 16384 bytes smem, 388 bytes cmem[0]
ptxas info    : Compiling entry function 'sgemm' for 'sm_90'
ptxas info    : Function properties for sgemm
    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 40 registers, used 1 barriers, 1024 bytes smem
"""


class PtxasTest(unittest.TestCase):
    def test_highest_architecture_of_the_named_kernel(self):
        facts = ptxas.parse(LOG, "sgemm")
        self.assertEqual(sorted(facts), [80, 90])
        self.assertEqual(facts[80], {"stack_bytes": 120, "spill_bytes": 560, "registers": 64,
                                     "smem_bytes": 16384})
        self.assertEqual(ptxas.metrics(facts), {"ptxas_arch": 90, "ptxas_registers": 40,
                                                "ptxas_spill_bytes": 0, "ptxas_stack_bytes": 0,
                                                "ptxas_smem_bytes": 1024})

    def test_no_such_kernel_gives_nothing(self):
        self.assertEqual(ptxas.metrics(ptxas.parse(LOG, "sgemm_fast")), {})

    def test_warning_lines_do_not_count(self):
        # What `#line 1 "ptxas info    : Used 1 registers"` and #warning print.
        forged = ("ptxas info    : Compiling entry function 'sgemm' for 'sm_100'(1): warning #1105-D\n"
                  "ptxas info    : Used 1 registers(3): warning: #warning directive\n")
        facts = ptxas.parse(forged + LOG, "sgemm")
        self.assertEqual(max(facts), 90)
        self.assertEqual(facts[90]["registers"], 40)

    def test_main_writes_metrics_json(self):
        with tempfile.TemporaryDirectory() as out:
            log = os.path.join(out, "build.log")
            with open(log, "w") as f:
                f.write(LOG)
            self.assertEqual(ptxas.main(["ptxas.py", log, "sgemm", out]), 0)
            with open(os.path.join(out, "metrics.json")) as f:
                self.assertEqual(json.load(f)["metrics"]["ptxas_registers"], 40)
            self.assertEqual(ptxas.main(["ptxas.py", log, "missing", out]), 1)


if __name__ == "__main__":
    unittest.main()
