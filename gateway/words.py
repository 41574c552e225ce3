"""Reading a document's word tables (`<document>/words.py`: proto enum value -> word).

The proto has one status vocabulary; each REST document shows it in its own words. `word()`
answers a value in them, `value_of()` parses a client's word back, naming the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from gateway.errors import FieldError

UNKNOWN = "unknown"

E = TypeVar("E", bound=int)  # a proto enum type


def word(table: Mapping[E, str], value: E) -> str:
    """The document's word for an enum value; `unknown` for UNSPECIFIED or a newer value."""
    return table.get(value, UNKNOWN)


def value_of(table: Mapping[E, str], text: str, field: str) -> E:
    """The enum value a client's word names; a 400 naming `field` for any other word."""
    for value, known in table.items():
        if known == text:
            return value
    choices = ", ".join(table.values())
    raise FieldError(field, f"unknown value {text!r}, expected one of: {choices}")


def values_of(table: Mapping[E, str], text: str, field: str, known: Iterable[str] = ()) -> list[E]:
    """Every enum value a client's word names (several may share one); `known` words name none.
    A 400 naming `field` for any other word."""
    found = [value for value, shown in table.items() if shown == text]
    if found or text in known:
        return found
    choices = ", ".join(dict.fromkeys([*table.values(), *known]))
    raise FieldError(field, f"unknown value {text!r}, expected one of: {choices}")
