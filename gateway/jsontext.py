"""JSON from clients, strictly: UTF-8, nested at most `MAX_DEPTH` deep, no lone surrogates, no
NaN or Infinity; anything else is a `FieldError` (400) naming the field it is in.

Python's json module takes more than what can go on: a lone surrogate (`"\\ud800"` escaped, or
its bytes ED A0 80) becomes a str protobuf cannot encode, so the call on the master failed as
an internal error; a thousand levels of nesting exhausted the recursion limit in the parser.
OpenC3's bodies nest four deep at most (`data[i].variable`); 32 leaves room and stays cheap.
"""

from __future__ import annotations

import json
import re
from typing import Any

from gateway.errors import FieldError

MAX_DEPTH = 32
TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"
_SURROGATE = re.compile("[\ud800-\udfff]")
# What a top-level key must look like to be named in a refusal (other keys are "body").
_FIELD = re.compile(r"[A-Za-z0-9_.\[\]-]{1,64}")
# Strings and structure, for finding the field a too-deep value is in (`_deep_field`).
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:]')


def loads(data: bytes | str, field: str) -> Any:
    """`data` parsed and checked; every refusal names `field`."""
    value = _parse(data, field)
    check(value, field)
    return value


def loads_fields(body: bytes) -> dict[str, Any]:
    """A request body: one JSON object; a refusal names the top-level field it is in."""
    fields = _parse(body, "body")
    if not isinstance(fields, dict):
        raise FieldError("body", "must be a JSON object")
    for key, value in fields.items():
        check_text(key, "body", "a key")
        check(value, field_name(key), depth=2)
    return fields


def check(value: Any, field: str, depth: int = 1) -> None:
    """Refuse containers nested past MAX_DEPTH and strings (keys too) holding a lone surrogate."""
    if isinstance(value, str):
        check_text(value, field)
        return
    if not isinstance(value, dict | list):
        return
    if depth > MAX_DEPTH:
        raise FieldError(field, TOO_DEEP)
    for key in value if isinstance(value, dict) else ():
        check_text(key, field, "a key")
    for item in value.values() if isinstance(value, dict) else value:
        check(item, field, depth + 1)


def check_text(text: str, field: str, what: str = "") -> None:
    """Refuse a string holding a lone surrogate: not Unicode, it cannot be stored or sent on."""
    found = _SURROGATE.search(text)
    if found:
        where = f"{what} holds" if what else "holds"
        point = f"U+{ord(found.group()):04X}"
        raise FieldError(field, f"{where} a lone surrogate ({point}): not valid Unicode")


def field_name(key: str) -> str:
    """A top-level key as a refusal names it: as sent when it looks like a field, else "body"."""
    return key if _FIELD.fullmatch(key) else "body"


def _parse(data: bytes | str, field: str) -> Any:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FieldError(field, f"not valid UTF-8 at byte {exc.start}") from None
    try:
        return json.loads(data, parse_constant=_not_json)
    except RecursionError:
        raise FieldError(_deep_field(data, field), TOO_DEEP) from None
    except ValueError as exc:
        raise FieldError(field, f"not valid JSON: {exc}") from None


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON value")


def _deep_field(text: str, field: str) -> str:
    """The top-level key whose value goes past MAX_DEPTH, when the parser gave up (its recursion
    limit is far deeper); `field` when the text is not an object or no key is found."""
    depth, last, key = 0, "", ""
    for token in _TOKEN.finditer(text):
        symbol = token.group()
        if symbol.startswith('"'):
            last = symbol
        elif symbol == ":" and depth == 1:
            key = last
        elif symbol in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                break
        elif symbol in "]}":
            depth -= 1
    if field != "body" or not key:
        return field
    try:
        return field_name(json.loads(key))
    except ValueError:
        return field
