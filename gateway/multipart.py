"""A multipart/form-data body read as it arrives: a stream of part events, never whole parts.

Starlette's `request.form()` spools each file to a temporary file and returns only once the
whole body is in; an upload must instead pass each piece on as it is read (and be refused as soon
as it is too large). python-multipart's parser is push-based (callbacks); the callbacks only
collect events, which are handed out after each chunk, as Starlette's own parser does.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from gateway.errors import FieldError

if TYPE_CHECKING:  # defined for type checkers only
    from python_multipart.multipart import MultipartCallbacks

MEDIA_TYPE = b"multipart/form-data"


@dataclass(frozen=True)
class PartStart:
    """A part's headers are in: its form field, and its filename when it is a file."""

    field: str
    filename: str | None


@dataclass(frozen=True)
class PartEnd:
    """The part's closing boundary was read: every byte of it has been handed out."""


Event = PartStart | PartEnd | bytes


class _Collector:
    """The parser's callbacks: they turn what it reports into events, in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.finished = False
        self._header = b""
        self._value = b""
        self._disposition = b""

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._begin,
            "on_part_data": self._data,
            "on_part_end": lambda: self.events.append(PartEnd()),
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_end": self._end,
        }

    def take(self) -> list[Event]:
        events, self.events = self.events, []
        return events

    def _begin(self) -> None:
        self._disposition = b""

    def _data(self, data: bytes, start: int, end: int) -> None:
        if end > start:
            self.events.append(data[start:end])

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        if self._header.lower() == b"content-disposition":
            self._disposition = self._value
        self._header = self._value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        if b"name" not in options:
            raise FieldError("body", "a part has no Content-Disposition name")
        filename = options.get(b"filename")
        self.events.append(PartStart(_text(options[b"name"]), _text_or_none(filename)))

    def _end(self) -> None:
        self.finished = True


def _text(value: bytes) -> str:
    """parse_options_header hands back latin-1 bytes; clients send UTF-8 names."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FieldError("name", f"not valid UTF-8: {value!r}") from exc


def _text_or_none(value: bytes | None) -> str | None:
    return None if value is None else _text(value)


def boundary(request: Request) -> bytes:
    """The body's multipart boundary: 415 naming `content-type` for another kind of body."""
    media_type, options = parse_options_header(request.headers.get("content-type", ""))
    if media_type != MEDIA_TYPE:
        shown = media_type.decode("latin-1") or "missing"
        raise FieldError("content-type", f"expected multipart/form-data, got {shown!r}", status=415)
    if not options.get(b"boundary"):
        raise FieldError("content-type", "multipart/form-data without a boundary")
    return options[b"boundary"]


async def events(request: Request) -> AsyncGenerator[Event, None]:
    """The body's parts, each as PartStart, its data in pieces, PartEnd; a body cut short or
    malformed raises FieldError naming `body` (so an unfinished part is never ended)."""
    collector = _Collector()
    try:
        parser = MultipartParser(boundary(request), collector.callbacks())
        async for chunk in request.stream():
            parser.write(chunk)
            for event in collector.take():
                yield event
    except FormParserError as exc:
        raise FieldError("body", f"malformed multipart body: {exc}") from exc
    except ClientDisconnect as exc:
        raise FieldError("body", "the client went away before the end of the body") from exc
    if not collector.finished:
        raise FieldError("body", "the multipart body ends before its closing boundary")
