"""Declarations (kernels/python/cambrian_kernels/declarations.py): the bounds
of kernels/PROTOCOL.md, parsing, numbers, and writing.
Run: python3 -B tests/kernels/python/declarations_test.py [-v]
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "kernels", "python"))
from cambrian_kernels import declarations as d  # noqa: E402


class ParseTest(unittest.TestCase):
    def bad(self, payload):
        with self.assertRaises(d.DeclarationError) as caught:
            d.parse(payload)
        return str(caught.exception)

    def test_lines(self):
        self.assertEqual(d.parse(b""), [])
        self.assertEqual(d.parse(b"params 12\nname seed model\nempty \nparams 13\n"),
                         [("params", "12"), ("name", "seed model"), ("empty", ""), ("params", "13")])

    def test_line_count_bound(self):
        self.assertEqual(len(d.parse(b"a 1\n" * 256)), 256)
        self.assertIn("257", self.bad(b"a 1\n" * 257))

    def test_name_bounds(self):
        self.assertEqual(d.parse(b"_" + b"a" * 63 + b" 1\n")[0][1], "1")
        self.assertIn("line 1", self.bad(b"_" + b"a" * 64 + b" 1\n"))
        self.assertIn("line 2", self.bad(b"ok 1\n9lives 1\n"))
        self.assertIn("line 1", self.bad(b"a-b 1\n"))
        self.assertIn("line 1", self.bad(b"novalue\n"))
        self.assertEqual(d.parse(b"x.y_2 1\n"), [("x.y_2", "1")])

    def test_value_bounds(self):
        self.assertEqual(len(d.parse(b"v " + b"x" * 256 + b"\n")[0][1]), 256)
        self.assertIn("printable", self.bad(b"v " + b"x" * 257 + b"\n"))
        self.assertIn("printable", self.bad(b"v a\tb\n"))
        self.assertIn("printable", self.bad(b"v a\rb\n"))
        self.assertIn("ASCII", self.bad("v caf\u00e9\n".encode()))

    def test_newline_required(self):
        self.assertIn("newline", self.bad(b"a 1"))
        self.assertIn("line 2", self.bad(b"a 1\n\n"))


class NumberTest(unittest.TestCase):
    def test_numbers(self):
        pairs = d.parse(b"a 12\nb -1.5e3\nc .5\nd 1e400\ne nan\nf inf\ng 0x10\nh 1_000\n")
        self.assertEqual(d.number(pairs, "a"), 12.0)
        self.assertEqual(d.number(pairs, "b"), -1500.0)
        self.assertEqual(d.number(pairs, "c"), 0.5)
        self.assertIsNone(d.number(pairs, "missing"))
        for name in "defgh":
            with self.assertRaises(d.DeclarationError, msg=name):
                d.number(pairs, name)

    def test_last_occurrence_wins(self):
        self.assertEqual(d.number(d.parse(b"a 1\na 2\n"), "a"), 2.0)


class DumpTest(unittest.TestCase):
    def test_round_trip(self):
        pairs = {"params": 211648, "learning_rate": 0.0031, "pattern": "attn mlp attn mlp"}
        parsed = d.parse(d.dump(pairs))
        self.assertEqual(d.number(parsed, "learning_rate"), 0.0031)
        self.assertEqual(d.find(parsed, "pattern"), "attn mlp attn mlp")

    def test_refuses_what_parse_refuses(self):
        for pairs in ({"bad name": 1}, {"v": "line\nbreak"}, {"v": "x" * 257}, [("a", 1)] * 257):
            with self.assertRaises(d.DeclarationError):
                d.dump(pairs)


if __name__ == "__main__":
    unittest.main()
