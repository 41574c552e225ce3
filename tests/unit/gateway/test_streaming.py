"""streaming: the tasklog envelope, written page by page, is the JSON the whole answer would be;
a failure midway still ends in valid JSON, with `stat: false`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
from grpc.aio import AioRpcError, Metadata

from gateway.streaming import Frame, TextRow, closing, envelope

FIELDS = {"node": "n1", "slave": "s1", "status": "success", "exitcode": 0, "reason": ""}
UNAVAILABLE = AioRpcError(grpc.StatusCode.UNAVAILABLE, Metadata(), Metadata(), "gone")


def pages(*parts: bytes, then: Exception | None = None) -> Callable[[], AsyncIterator[bytes]]:
    async def read() -> AsyncIterator[bytes]:
        for part in parts:
            yield part
        if then is not None:
            raise then

    return read


def answer(*rows: TextRow) -> tuple[list[bytes], Any]:
    async def collect() -> list[bytes]:
        return [piece async for piece in envelope(rows, lambda exc: f"master: {exc.details()}")]

    pieces = asyncio.run(collect())
    return pieces, json.loads(b"".join(pieces))


def test_the_streamed_answer_is_the_whole_answer() -> None:
    text = 'a "quoted" \\ line\n\ttab \x01 é € 😀\n'.encode()
    split = [text[i : i + 3] for i in range(0, len(text), 3)]  # cuts through é, € and 😀

    _, body = answer(TextRow(FIELDS, "log", pages(*split)), TextRow({}, "log", pages()))

    assert body == {
        "data": [{**FIELDS, "log": text.decode()}, {"log": ""}],
        "stat": True,
    }


def test_bad_utf8_is_replaced_never_an_error() -> None:
    _, body = answer(TextRow(FIELDS, "log", pages(b"ok \xff", b"\n\xe2\x82")))

    assert body["data"][0]["log"] == "ok \ufffd\n\ufffd"


def test_no_rows() -> None:
    assert answer()[1] == {"data": [], "stat": True}


def test_each_page_goes_out_as_it_comes() -> None:
    page = b"x" * (1 << 20)

    pieces, body = answer(TextRow(FIELDS, "log", pages(page, page, page)))

    assert len(body["data"][0]["log"]) == 3 << 20
    assert max(len(p) for p in pieces) == 1 << 20


def test_a_failure_midway_ends_in_valid_json_saying_so() -> None:
    rows = (
        TextRow(FIELDS, "log", pages(b"whole\n")),
        TextRow({**FIELDS, "node": "n2"}, "log", pages(b"half \xe2\x82", then=UNAVAILABLE)),
        TextRow({**FIELDS, "node": "n3"}, "log", pages(b"never")),
    )

    _, body = answer(*rows)

    assert body == {
        "data": [
            {**FIELDS, "log": "whole\n"},
            {**FIELDS, "node": "n2", "log": "half \ufffd"},
        ],
        "stat": False,
        "info": "master: gone",
    }


def framed(frame: Frame, *rows: TextRow) -> Any:
    async def collect() -> list[bytes]:
        return [p async for p in envelope(rows, lambda exc: f"master: {exc.details()}", frame)]

    return json.loads(b"".join(asyncio.run(collect())))


def test_a_row_holds_several_texts_and_a_document_frames_the_rows() -> None:
    """cloud-act2's results: stdout and stderr of each row, inside its own envelope."""
    frame = Frame(b'{"content":{"list":[', b"}" + closing({"ok": True}), lambda why: b"")
    row = TextRow({"host": "n1"}, "stdout", pages(b"out\n"), also=[("stderr", pages(b"err\n"))])

    body = framed(frame, row, TextRow({}, "stdout", pages(), also=[("stderr", pages())]))

    assert body == {
        "content": {
            "list": [
                {"host": "n1", "stdout": "out\n", "stderr": "err\n"},
                {"stdout": "", "stderr": ""},
            ]
        },
        "ok": True,
    }


def test_a_failure_in_a_rows_second_text_still_ends_in_the_frames_valid_json() -> None:
    frame = Frame(b'{"rows":[', closing({"status": "success"}), lambda why: closing({"why": why}))
    row = TextRow(
        {"host": "n1"}, "stdout", pages(b"out"), also=[("stderr", pages(then=UNAVAILABLE))]
    )

    assert framed(frame, row) == {
        "rows": [{"host": "n1", "stdout": "out", "stderr": ""}],
        "why": "master: gone",
    }
