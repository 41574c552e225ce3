"""What `/api/job/log/` reads from a request: a note's fields; and the keys a bulk delete names
(of log rows, and of runs on `/api/job/job/`).

A bulk delete names its rows as DRF clients send them, in the body: `pk` (one comma list,
"1,2,3", or a JSON number) and/or `pk[]` (an array: a JSON array, or the field repeated in a
form, as jQuery and axios write arrays). Both are read, and the query string when the body
names none (a client whose DELETE carries no body). A bad key is a 400 naming the key it came in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request

from gateway import forms, jsontext
from gateway.errors import FieldError

MAX_NOTE_BYTES = 65536  # the master's bound on a note (domain.MAX_NOTE_BYTES)
MAX_KEYS = 1000  # rows one bulk delete may name (the master's bound)
KEY_FIELDS = ("pk", "pk[]")


def note_text(fields: forms.Fields, name: str = "log") -> str:
    """A note's text, as written (not trimmed): not blank, at most MAX_NOTE_BYTES bytes."""
    text = forms.text(fields, name, required=True, strip=False)
    size = len(text.encode())
    if size > MAX_NOTE_BYTES:
        raise FieldError(name, f"must be at most {MAX_NOTE_BYTES} bytes (UTF-8), got {size}")
    return text


def ignored_time(fields: forms.Fields, name: str = "ctime") -> None:
    """A note's `ctime` as sent must be an integer (the document's type), though the server's
    time is kept: a client sending something else learns of it."""
    forms.integer(fields, name, default=0, low=-forms.INT64_MAX, high=forms.INT64_MAX)


def changed_text(fields: forms.Fields, name: str = "log") -> str:
    """A PUT/PATCH's new text; "" when the body has none (sent blank: refused)."""
    if name not in fields:
        return ""
    if fields[name] == "":
        raise FieldError(name, "must not be blank")
    return note_text(fields, name)


async def key_values(request: Request[Any]) -> dict[str, list[Any]]:
    """The values of `pk` and `pk[]` in the body (or else the query string), each as a list."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type in forms.FORM_TYPES:
        found = await _form_values(request)
    else:
        body = await forms.read_fields(request)
        if body.get("pk[]") is not None and not isinstance(body["pk[]"], list):
            raise FieldError("pk[]", f"must be an array of ids, got {body['pk[]']!r}")
        found = {name: _listed(body[name]) for name in KEY_FIELDS if body.get(name) is not None}
    if not any(found.values()):
        query = request.query_params
        found = {name: query.getlist(name) for name in KEY_FIELDS if name in query}
    return found


async def _form_values(request: Request[Any]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    async with request.form() as form:
        for name in KEY_FIELDS:
            for value in form.getlist(name):
                if not isinstance(value, str):
                    raise FieldError(name, "a file upload is not accepted here")
                jsontext.check_text(value, name)
                found.setdefault(name, []).append(value)
    return found


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def row_keys(values: Mapping[str, Sequence[Any]]) -> list[int]:
    """The row ids named by `pk` and `pk[]` (comma lists split, duplicates dropped, in order)."""
    keys: list[int] = []
    for name in KEY_FIELDS:
        for value in values.get(name, ()):
            keys += _keys_in(value, name)
    if not keys:
        raise FieldError("pk", "required: `pk` (a comma list of ids) or `pk[]` (an array of ids)")
    unique = list(dict.fromkeys(keys))
    if len(unique) > MAX_KEYS:
        raise FieldError("pk", f"at most {MAX_KEYS} rows at once, got {len(unique)}")
    return unique


def _keys_in(value: Any, name: str) -> list[int]:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise FieldError(name, f"must be ids: numbers or a comma list of them, got {value!r}")
    pieces = [p.strip() for p in value.split(",")] if isinstance(value, str) else [str(value)]
    return [forms.positive_id(piece, name) for piece in pieces if piece]
