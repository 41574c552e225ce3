"""Finding version variables, `NAME:[value]`, in a stream of output chunks.

The syntax (docs/version-variables.md): NAME is a letter then one or more of letters, digits
and `_`; value is one or more of letters (either case), digits, `.`, `_` and `-`; no space
anywhere; a match may sit mid-line and a line may hold several. Pure functions over bytes: the
caller keeps each stream's `carry` (the end of the output so far that could still begin a match)
and hands it back with the next chunk, so a match cut by a chunk boundary is found once.

Linear in the output: only the places holding `:[` are looked at (a chunk without one costs
one `in` test), names are read backwards with `bytes.rstrip`, values with an anchored pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LEN = 100
"""The longest name or value kept (OpenC3's columns); a longer one is refused, not cut."""
MAX_CARRY = 1024
"""The most output kept from one chunk for the next: every match that can be kept fits."""
NAME_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
VALUE_BYTES = NAME_BYTES + b".-"
NOT_FIRST = b"0123456789_"
"""What a name may hold but not begin with."""
VALUE_THEN_CLOSE = re.compile(rb"[A-Za-z0-9._-]+\]")
OPEN = b":["


@dataclass(frozen=True)
class Found:
    """A match: kept (`refused` empty) or refused with the reason (too long)."""

    name: str
    value: str
    refused: str = ""


def scan(carry: bytes, data: bytes) -> tuple[list[Found], bytes]:
    """The matches in `carry + data` and the new carry (what may begin a match)."""
    if not carry and OPEN not in data:
        return [], carry_of(data)
    text = carry + data if carry else data
    if OPEN not in text:
        return [], carry_of(text)
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
    """The name ending at `at`: the run of name bytes there, from its first letter."""
    window = text[max(0, at - MAX_CARRY) : at]
    run = window[len(window.rstrip(NAME_BYTES)) :]
    return run.lstrip(NOT_FIRST)


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
    if not text or text[-1] not in VALUE_BYTES + b":[":
        return b""
    tail = text[-MAX_CARRY:]
    opened = tail.rstrip(VALUE_BYTES)
    if opened.endswith(OPEN):
        start = len(opened[:-2].rstrip(NAME_BYTES))
    elif tail.endswith(b":"):
        start = len(tail[:-1].rstrip(NAME_BYTES))
    else:
        start = len(tail.rstrip(NAME_BYTES))
    return tail[start:]
