"""A JSON envelope written as it is read, for answers too large to hold at once (a task's logs).

The body is `{"data":[{...,"log":"..."},...],"stat":true}`: each row's fields, then its text,
decoded and escaped page by page as the pages arrive (an incremental UTF-8 decoder: a character
split between two pages comes out whole, bad bytes are U+FFFD). What one answer holds is a page
or two, whatever the size of the text, and the client's reading paces the master's reads
(uvicorn waits for the socket to drain before the next page is asked for).

`stat` comes last on purpose. Once the first byte is out, the HTTP status (200) can no longer
change, so a failure of the master midway is said where clients look, in valid JSON: the open
string and row are closed and the envelope ends `"stat":false,"info":"..."`. The rows before it
are whole; the last one holds its text up to where reading stopped.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import grpc


@dataclass(frozen=True)
class TextRow:
    """A row of the answer whose `key` holds a long text, read as pages of UTF-8 bytes."""

    fields: Mapping[str, Any]
    key: str
    pages: Callable[[], AsyncIterator[bytes]]


def _json(value: Any) -> str:
    """As Starlette's JSONResponse writes it."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _head(row: TextRow, first: bool) -> bytes:
    """`{"field":...,"key":"` (after a comma unless it is the first row)."""
    fields = _json(dict(row.fields))[:-1]
    joint = "," if row.fields else ""
    return f'{"" if first else ","}{fields}{joint}{_json(row.key)}:"'.encode()


def _piece(text: str) -> bytes:
    """Text as the inside of a JSON string; pieces joined make the string of the whole text."""
    return _json(text)[1:-1].encode()


async def envelope(
    rows: Sequence[TextRow], failure_info: Callable[[grpc.aio.AioRpcError], str]
) -> AsyncIterator[bytes]:
    """The whole answer in pieces; a master failure while reading ends it with `stat: false`
    and `failure_info(error)` as `info`."""
    yield b'{"data":['
    for index, row in enumerate(rows):
        yield _head(row, first=index == 0)
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        try:
            async for page in row.pages():
                yield _piece(decoder.decode(page))
        except grpc.aio.AioRpcError as exc:
            tail = {"stat": False, "info": failure_info(exc)}
            yield _piece(decoder.decode(b"", final=True)) + b'"}],' + _json(tail)[1:].encode()
            return
        yield _piece(decoder.decode(b"", final=True)) + b'"}'
    yield b'],"stat":true}'
