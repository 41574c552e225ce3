"""multipart: a body read piece by piece becomes part events; bad or cut bodies name `body`."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.requests import Request
from starlette.types import Message

from gateway import multipart
from gateway.errors import FieldError
from gateway.multipart import PartEnd, PartStart
from tests.unit.gateway.bodies import BOUNDARY, CONTENT_TYPE
from tests.unit.gateway.bodies import multipart_body as body


def request(data: bytes, chunk: int, content_type: str = CONTENT_TYPE) -> Request[Any]:
    """A request whose body arrives `chunk` bytes at a time."""
    pieces = [data[i : i + chunk] for i in range(0, len(data), chunk)] or [b""]
    messages: list[Message] = [
        {"type": "http.request", "body": p, "more_body": i < len(pieces) - 1}
        for i, p in enumerate(pieces)
    ]

    async def receive() -> Message:
        return messages.pop(0)

    headers = [(b"content-type", content_type.encode("latin-1"))] if content_type else []
    return Request({"type": "http", "method": "POST", "headers": headers}, receive)


def events(data: bytes, chunk: int = 7, content_type: str = CONTENT_TYPE) -> list[Any]:
    """The events, with each part's data pieces joined into one bytes."""

    async def collect() -> list[Any]:
        joined: list[Any] = []
        async for event in multipart.events(request(data, chunk, content_type)):
            if isinstance(event, bytes) and joined and isinstance(joined[-1], bytes):
                joined[-1] += event
            else:
                joined.append(event)
        return joined

    return asyncio.run(collect())


def refused(data: bytes, content_type: str = CONTENT_TYPE) -> FieldError:
    with pytest.raises(FieldError) as caught:
        events(data, content_type=content_type)
    return caught.value


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 16])
def test_parts_in_order_whatever_the_chunking(chunk: int) -> None:
    data = body(("note", None, b"hi"), ("file", "a.bin", b"\r\n--x" * 50), ("f2", "b", b""))

    assert events(data, chunk) == [
        PartStart("note", None),
        b"hi",
        PartEnd(),
        PartStart("file", "a.bin"),
        b"\r\n--x" * 50,
        PartEnd(),
        PartStart("f2", "b"),
        PartEnd(),
    ]


def test_utf8_and_empty_filenames_come_through() -> None:
    data = body(("f", "报告.txt", b"x"), ("g", "", b"y"))

    starts = [e for e in events(data) if isinstance(e, PartStart)]

    assert starts == [PartStart("f", "报告.txt"), PartStart("g", "")]


def test_a_body_without_its_closing_boundary_is_refused() -> None:
    data = body(("file", "a.bin", b"abc"), close=False)

    error = refused(data)

    assert (error.field, error.status) == ("body", 400)
    assert "closing boundary" in error.message


def test_a_part_without_a_name_is_refused() -> None:
    data = f"--{BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--{BOUNDARY}--\r\n"

    assert refused(data.encode()).field == "body"


def test_garbage_is_refused() -> None:
    assert refused(f"--{BOUNDARY}\r\nno colon here\r\n\r\n".encode()).field == "body"


def test_a_filename_that_is_not_utf8_names_name() -> None:
    data = body(("f", "x", b"")).replace(b'filename="x"', b'filename="\xff"')

    assert refused(data).field == "name"


@pytest.mark.parametrize("content_type", ["", "application/json", "multipart/mixed; boundary=a"])
def test_other_bodies_are_415(content_type: str) -> None:
    error = refused(b"{}", content_type)

    assert (error.field, error.status) == ("content-type", 415)


def test_a_missing_boundary_is_400() -> None:
    error = refused(b"", "multipart/form-data")

    assert (error.field, error.status) == ("content-type", 400)
