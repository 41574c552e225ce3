"""A JSON envelope written as it is read, for answers too large to hold at once (a task's logs).

The body is `{"data":[{...,"log":"..."},...],"stat":true}` (OpenC3's frame, the default; a
document frames its rows its own way with a `Frame`): each row's fields, then its texts, each
decoded and escaped page by page as the pages arrive (an incremental UTF-8 decoder: a character
split between two pages comes out whole, bad bytes are U+FFFD). What one answer holds is a page
or two, whatever the size of the texts, and the client's reading paces the master's reads
(uvicorn waits for the socket to drain before the next page is asked for).

The status comes after the rows on purpose. Once the first byte is out, the HTTP status (200)
can no longer change, so a failure of the master midway is said where clients look, in valid
JSON: the open string and row are closed and the envelope ends as the frame's `failed` says
(OpenC3's: `"stat":false,"info":"..."`). The rows before it are whole; the last one holds its
text up to where reading stopped.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import grpc

Pages = Callable[[], AsyncIterator[bytes]]
"""A long text, read as pages of UTF-8 bytes."""


@dataclass(frozen=True)
class TextRow:
    """A row of the answer whose `key` holds a long text (and each of `also`'s keys one more,
    written in that order after it)."""

    fields: Mapping[str, Any]
    key: str
    pages: Pages
    also: Sequence[tuple[str, Pages]] = ()

    def texts(self) -> list[tuple[str, Pages]]:
        return [(self.key, self.pages), *self.also]


def _json(value: Any) -> str:
    """As Starlette's JSONResponse writes it."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


@dataclass(frozen=True)
class Frame:
    """Where the rows sit in a document's answer: `head` is everything up to the list's `[`,
    `tail` everything after its `]` on success, `failed(info)` everything after it when the
    master failed midway."""

    head: bytes
    tail: bytes
    failed: Callable[[str], bytes]


def closing(fields: Mapping[str, Any]) -> bytes:
    """`,"key":value,...}`: the rest of an object whose first key was written before."""
    return b"," + _json(dict(fields))[1:].encode()


OPENC3 = Frame(
    b'{"data":[', closing({"stat": True}), lambda info: closing({"stat": False, "info": info})
)


def _head(row: TextRow, first: bool) -> bytes:
    """`{"field":...,` (after a comma unless it is the first row): the row up to its texts."""
    fields = _json(dict(row.fields))[:-1]
    joint = "," if row.fields else ""
    return f"{'' if first else ','}{fields}{joint}".encode()


def _key(key: str, first: bool) -> bytes:
    """`"key":"` (after a comma unless it is the row's first text)."""
    return f'{"" if first else ","}{_json(key)}:"'.encode()


def _piece(text: str) -> bytes:
    """Text as the inside of a JSON string; pieces joined make the string of the whole text."""
    return _json(text)[1:-1].encode()


async def envelope(
    rows: Sequence[TextRow],
    failure_info: Callable[[grpc.aio.AioRpcError], str],
    frame: Frame = OPENC3,
) -> AsyncIterator[bytes]:
    """The whole answer in pieces; a master failure while reading ends it as `frame.failed`
    says, with `failure_info(error)` as what went wrong."""
    yield frame.head
    for index, row in enumerate(rows):
        yield _head(row, first=index == 0)
        for number, (key, pages) in enumerate(row.texts()):
            yield _key(key, first=number == 0)
            decoder = codecs.getincrementaldecoder("utf-8")("replace")
            try:
                async for page in pages():
                    yield _piece(decoder.decode(page))
            except grpc.aio.AioRpcError as exc:
                end = _piece(decoder.decode(b"", final=True)) + b'"}]'
                yield end + frame.failed(failure_info(exc))
                return
            yield _piece(decoder.decode(b"", final=True)) + b'"'
        yield b"}"
    yield b"]" + frame.tail
