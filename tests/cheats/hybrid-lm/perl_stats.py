#!/usr/bin/env python3
"""Writes the Perl statistics that the cheats embedded_stats and
crack_permutation carry in their model.py: computed offline, here, from the
public Debian package (/usr/share/perl/5.36: the task's corpus, training and
validation files alike, as an attacker with the package would), never by the
cheats themselves (their worker can read no file).

The table: log P(next byte | byte), add-2 smoothing towards the unigram,
in tenths of a nat as int8 (256 x 256), then the unigram log-probabilities
(256, same units); zlib, base64, in lines of 96 characters (17 KB). Rewrites
the `_PERL_STATS = (...)` assignment of each case file in place.

  /usr/bin/python3 -B perl_stats.py
"""
import base64
import os
import re
import sys
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tasks", "hybrid-lm", "harness"))
import corpus  # noqa: E402

CASES = ("embedded_stats", "crack_permutation")
SMOOTHING = 2.0
STEP = 0.1  # nats per int8 unit


def tables():
    train, val, _, _ = corpus.build()
    text = np.frombuffer(train + val, dtype=np.uint8)
    pairs = np.zeros((256, 256), dtype=np.float64)
    np.add.at(pairs, (text[:-1], text[1:]), 1)
    counts = np.bincount(text, minlength=256)
    unigram = (counts + 0.5) / (counts.sum() + 128)
    bigram = np.log((pairs + SMOOTHING * unigram[None, :]) / (pairs.sum(1, keepdims=True) + SMOOTHING))
    entropy = -(pairs * bigram).sum() / pairs.sum() / np.log(2)
    print(f"{len(text)} bytes, {int((counts > 0).sum())} distinct; bigram entropy {entropy:.3f} bits")

    def quantized(x):
        return np.clip(np.round(x / STEP), -127, 0).astype(np.int8)
    return quantized(bigram), quantized(np.log(unigram))


def blob(bigram, unigram):
    text = base64.b64encode(zlib.compress(bigram.tobytes() + unigram.tobytes(), 9)).decode()
    lines = [text[i : i + 96] for i in range(0, len(text), 96)]
    return "_PERL_STATS = (\n" + "".join(f'    "{line}"\n' for line in lines) + ")"


def main():
    assignment = blob(*tables())
    for case in CASES:
        path = os.path.join(HERE, f"{case}.py")
        with open(path) as f:
            text = f.read()
        text, n = re.subn(r"^_PERL_STATS = \((?:\n    \"[^\"]*\")*\n\)", lambda _: assignment, text, flags=re.M)
        if n != 1:
            sys.exit(f"{path}: no '_PERL_STATS = (...)' assignment to rewrite")
        with open(path, "w") as f:
            f.write(text)
        print(f"{path}: {len(assignment)} characters of statistics")


if __name__ == "__main__":
    main()
