"""Finding version variables, `NAME:[value]`, in a stream of output chunks.

The syntax (docs/version-variables.md): NAME is a letter then one or more of letters, digits
and `_`; value is one or more of letters (either case), digits, `.`, `_` and `-`; no space
anywhere; a match may sit mid-line and a line may hold several. Pure functions over bytes: the
caller keeps each stream's `carry` (the end of the output so far that could still begin a match)
and hands it back with the next chunk, so a match cut by a chunk boundary is found once.

Linear in the output: only the places holding `:[` are looked at (a chunk without a `[`
costs one memchr and a look at its last bytes), names are read backwards (a pattern on the
reversed bytes just before), values with an anchored pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LEN = 100
"""The longest name or value kept (OpenC3's columns); a longer one is refused, not cut."""
MAX_CARRY = 2 * MAX_LEN + 3
"""The most output kept from one chunk for the next: `NAME:[value` at its longest kept."""
NAME_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
VALUE_BYTES = NAME_BYTES + b".-"
CARRY_LAST = frozenset(VALUE_BYTES + b":[")
"""The bytes output must end in to carry anything."""
NAME_RUN = re.compile(rb"[A-Za-z0-9_]*")
VALUE_RUN = re.compile(rb"[A-Za-z0-9._-]*")
"""Runs of name and value bytes: matched on reversed text, they read backwards."""
NOT_FIRST = re.compile(rb"[0-9_]*")
"""What a name may hold but not begin with."""
VALUE_THEN_CLOSE = re.compile(rb"[A-Za-z0-9._-]+\]")
OPEN = b":["
BRACKET = b"["


@dataclass(frozen=True)
class Found:
    """A match: kept (`refused` empty) or refused with the reason (too long)."""

    name: str
    value: str
    refused: str = ""


def scan(carry: bytes, data: bytes) -> tuple[list[Found], bytes]:
    """The matches in `carry + data` and the new carry (what may begin a match). Output
    without a `[` (one memchr) has none; it is not even joined to the carry."""
    if BRACKET not in data and BRACKET not in carry:
        return [], carry_of(data if len(data) >= MAX_CARRY else carry + data)
    text = carry + data if carry else data
    return matches(text), carry_of(text)


def matches(text: bytes) -> list[Found]:
    """Every `NAME:[value]` in text, in order."""
    found: list[Found] = []
    at = text.find(OPEN)
    while at >= 0:
        closed = VALUE_THEN_CLOSE.match(text, at + 2)
        name = _name_before(text, at) if closed else b""
        if closed and len(name) >= 2:
            found.append(_judged(name, text[at + 2 : closed.end() - 1]))
        at = text.find(OPEN, at + 2)
    return found


def _name_before(text: bytes, at: int) -> bytes:
    """The name ending at `at`: the run of name bytes there, from its first letter. A run
    longer than MAX_LEN is cut to MAX_LEN + 1 bytes (refused as too long)."""
    start = max(0, at - MAX_LEN - 1)
    run = text[start + _run_back(NAME_RUN, text[start:at]) : at]
    first = NOT_FIRST.match(run)
    return run if len(run) > MAX_LEN or first is None else run[first.end() :]


def _run_back(run: re.Pattern[bytes], text: bytes) -> int:
    """Where the run of `run` bytes that ends text begins."""
    found = run.match(text[::-1])
    return len(text) - (found.end() if found else 0)


def _judged(name: bytes, value: bytes) -> Found:
    shown_name, shown_value = name.decode("ascii"), value.decode("ascii")
    too_long = [what for what, b in (("name", name), ("value", value)) if len(b) > MAX_LEN]
    if not too_long:
        return Found(shown_name, shown_value)
    why = f"{' and '.join(too_long)} longer than {MAX_LEN} characters"
    return Found(shown_name[:MAX_LEN], shown_value[:MAX_LEN], why)


def carry_of(text: bytes) -> bytes:
    """The end of `text` that may begin a match (`NAME`, `NAME:`, `NAME:[val`), at most
    MAX_CARRY bytes; b"" when it ends in anything else (a newline: the common case)."""
    if not text or text[-1] not in CARRY_LAST:
        return b""
    tail = text[-MAX_CARRY:]
    value_at = _run_back(VALUE_RUN, tail)
    if tail[value_at - 2 : value_at] == OPEN:
        start = _run_back(NAME_RUN, tail[: value_at - 2])
    elif tail.endswith(b":"):
        start = _run_back(NAME_RUN, tail[:-1])
    else:
        start = _run_back(NAME_RUN, tail)
    return tail[start:]
