"""The secret alphabet: a bijection P of the 256 byte values that the judge
applies to every byte it sends the worker (training windows and their
targets, validation prefixes, probe rows and filler, the check stage's
random rows); the judge scores the logit column P(true byte). The worker so
learns and predicts a relabelled corpus: an architecture has no byte-specific
prior (embeddings and the output head are per-id parameters with
exchangeable random init), so an honest model's result is unchanged in
distribution, while whatever a model knows of what byte values mean from
outside the token budget (docstrings in its memory, a table carried in
model.py, any other text) is in the wrong alphabet.

P is derived from a 32-byte key that `[trusted] setup` writes into
$CAMBRIAN_SETUP_DIR/key (fresh entropy; workers never see the setup
directory) and from $CAMBRIAN_SEED: HMAC-SHA256(key, label, seed, counter)
in counter mode drives a Fisher-Yates shuffle with rejection sampling (no
modulo bias). The same key and seed give the same P (both stages of one
evaluation agree, a run repeats to the bit with the same seed); knowing the
seed, as the worker does, tells nothing without the key. No permutation is
excluded: the identity comes with probability 1/256! (about 1e-507), and
like any P it has about one fixed point on average, which the worker cannot
tell from the others. Numpy only.
"""
import hashlib
import hmac
import os

import numpy as np

KEY_BYTES = 32
LABEL = b"cambrian hybrid-lm alphabet v1"


class MissingKey(Exception):
    """The setup's key is absent or short: the task was run without its setup."""


def read_key(setup_dir=None):
    """The key `[trusted] setup` wrote: $CAMBRIAN_SETUP_DIR/key (KEY_BYTES
    bytes at least). Raises MissingKey, never falls back to anything known."""
    setup_dir = setup_dir if setup_dir is not None else os.environ.get("CAMBRIAN_SETUP_DIR", "")
    if not setup_dir:
        raise MissingKey("CAMBRIAN_SETUP_DIR is not set: the task's [trusted] setup did not run")
    path = os.path.join(setup_dir, "key")
    try:
        with open(path, "rb") as f:
            key = f.read()
    except OSError as error:
        raise MissingKey(f"cannot read the alphabet key {path}: {error.strerror}") from None
    if len(key) < KEY_BYTES:
        raise MissingKey(f"the alphabet key {path} holds {len(key)} bytes, fewer than {KEY_BYTES}")
    return key


def _keyed_words(key, seed):
    """An endless stream of 16-bit words from HMAC-SHA256 in counter mode."""
    counter = 0
    while True:
        message = LABEL + b"\0" + str(seed).encode() + b"\0" + counter.to_bytes(8, "little")
        block = hmac.new(key, message, hashlib.sha256).digest()
        for i in range(0, len(block), 2):
            yield int.from_bytes(block[i : i + 2], "little")
        counter += 1


def permutation(key, seed):
    """P as a uint8 array of 256 distinct values: byte b is sent as P[b]."""
    if len(key) < KEY_BYTES:
        raise ValueError(f"an alphabet key needs {KEY_BYTES} bytes")
    words = _keyed_words(key, seed)
    table = list(range(256))
    for i in range(255, 0, -1):
        bound = 65536 - 65536 % (i + 1)  # rejection keeps every j equally likely
        word = next(words)
        while word >= bound:
            word = next(words)
        j = word % (i + 1)
        table[i], table[j] = table[j], table[i]
    return np.array(table, dtype=np.uint8)


def apply(perm, data):
    """`data` (bytes or a uint8 array) in the secret alphabet, as uint8."""
    return perm[np.frombuffer(data, dtype=np.uint8) if isinstance(data, (bytes, bytearray)) else data]
