"""Declarations (kernels/PROTOCOL.md, "Declarations"): what a worker says about
itself in HELLO or about a call in DONE, as lines "NAME VALUE\\n".

They are the candidate's claims: a judge may report them, labelled as
declared, and never lets them decide a score or a verdict on their own.
"""
import math
import re

MAX_LINES = 256
MAX_NAME = 64
MAX_VALUE = 256
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,63}\Z")
_VALUE = re.compile(r"[\x20-\x7e]{0,256}\Z")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z")


class DeclarationError(ValueError):
    """A payload or a pair that breaks the rules; the message names the line."""


def is_name(name):
    return isinstance(name, str) and _NAME.match(name) is not None


def is_value(value):
    return isinstance(value, str) and _VALUE.match(value) is not None


def parse(payload):
    """bytes -> list of (name, value) in the order received (a repeated name
    keeps every occurrence). Every line ends with '\\n' and reads "NAME VALUE"
    (one space; the value may be empty). Raises DeclarationError."""
    if not payload:
        return []
    try:
        text = bytes(payload).decode("ascii")
    except UnicodeDecodeError:
        raise DeclarationError("declarations are not ASCII") from None
    if not text.endswith("\n"):
        raise DeclarationError("the last declaration line does not end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) > MAX_LINES:
        raise DeclarationError(f"{len(lines)} declaration lines, at most {MAX_LINES}")
    pairs = []
    for number, line in enumerate(lines, 1):
        name, space, value = line.partition(" ")
        if not space or not is_name(name):
            raise DeclarationError(f"declaration line {number}: expected 'NAME VALUE' with NAME "
                                   f"matching [A-Za-z_][A-Za-z0-9_.]{{0,63}}")
        if not is_value(value):
            raise DeclarationError(f"declaration line {number} ({name}): the value is not "
                                   f"printable ASCII of at most {MAX_VALUE} characters")
        pairs.append((name, value))
    return pairs


def dump(pairs):
    """A list of (name, value) or a dict -> payload bytes. Values are str(value)
    (floats with repr, so they round-trip). Raises DeclarationError on a pair
    that parse() would reject, or on more than MAX_LINES pairs."""
    items = list(pairs.items()) if isinstance(pairs, dict) else list(pairs)
    if len(items) > MAX_LINES:
        raise DeclarationError(f"{len(items)} declarations, at most {MAX_LINES}")
    lines = []
    for name, value in items:
        value = repr(value) if isinstance(value, float) else str(value)
        if not is_name(name) or not is_value(value):
            raise DeclarationError(f"declaration {name!r} = {value!r} breaks the rules")
        lines.append(f"{name} {value}\n")
    return "".join(lines).encode("ascii")


def find(pairs, name):
    """The last value declared for `name`, or None."""
    found = None
    for key, value in pairs:
        if key == name:
            found = value
    return found


def number(pairs, name):
    """The last value of `name` as a finite float; None if not declared.
    Raises DeclarationError if declared but not a finite decimal number."""
    value = find(pairs, name)
    if value is None:
        return None
    if not _NUMBER.match(value):
        raise DeclarationError(f"declaration {name} = {value!r} is not a decimal number")
    result = float(value)
    if not math.isfinite(result):
        raise DeclarationError(f"declaration {name} = {value!r} is not finite")
    return result
