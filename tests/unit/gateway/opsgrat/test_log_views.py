"""opsgrat.views.log and opsgrat.logforms: output lines labelled with their node however the
pages cut them, rows of both kinds, the streamed row whole or cut short in valid JSON; a note's
text and the keys of a bulk delete read from every spelling clients send."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from starlette.requests import Request

from gateway.errors import FieldError
from gateway.opsgrat import logforms
from gateway.opsgrat.routes.log import row_bytes
from gateway.opsgrat.views import log as views
from jobfleet.v1 import common_pb2, task_pb2
from tests.unit.gateway.test_auth import refusal


def output(text: bytes, truncated: bool = False, node: str = "web1") -> task_pb2.RunLogEntry:
    return task_pb2.RunLogEntry(
        id=8,
        task_id=3,
        created_at=Timestamp(seconds=1561705740, nanos=5),
        execution=common_pb2.Execution(id=4, node=node),
        text=text,
        truncated=truncated,
    )


def note(text: str) -> task_pb2.RunLogEntry:
    return task_pb2.RunLogEntry(
        id=9,
        task_id=3,
        created_at=Timestamp(seconds=1561705741),
        note=True,
        author="ops",
        text=text.encode(),
    )


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("", ""),
        ("one", "[n] one"),
        ("one\n", "[n] one\n"),
        ("one\ntwo\n", "[n] one\n[n] two\n"),
        ("\n\nx", "[n] \n[n] \n[n] x"),
        ("crlf\r\nbar 10%\rbar 100%\n", "[n] crlf\r\n[n] bar 10%\rbar 100%\n"),
    ],
)
def test_every_line_is_labelled_with_its_node(text: str, shown: str) -> None:
    assert views.labelled("n", text) == shown


def test_a_line_cut_between_pieces_is_labelled_once() -> None:
    whole = "alpha\nbeta gamma\n\ndelta"
    for cut in range(len(whole) + 1):
        labeller = views.Labeller("n")
        assert labeller.feed(whole[:cut]) + labeller.feed(whole[cut:]) == views.labelled(
            "n", whole
        ), cut


def test_an_output_row_is_the_nodes_labelled_output() -> None:
    assert views.row(output(b"ok\nwarn: disk\n")) == {
        "id": 8,
        "job": 3,
        "ctime": 1561705740,
        "log": "[web1] ok\n[web1] warn: disk\n",
        "note": False,
        "author": "",
        "node": "web1",
        "truncated": False,
    }


def test_a_note_row_is_its_text_as_written() -> None:
    row = views.row(note("\n\nrerun: fixed main.yml\n"))

    assert (row["log"], row["note"], row["author"], row["node"]) == (
        "\n\nrerun: fixed main.yml\n",
        True,
        "ops",
        "",
    )
    assert (row["id"], row["job"], row["ctime"]) == (9, 3, 1561705741)


def test_a_text_cut_inside_a_character_drops_it_and_says_truncated() -> None:
    cut = output("é€".encode()[:4], truncated=True)
    bad = output(b"\xff\n")

    assert (views.row(cut)["log"], views.row(cut)["truncated"]) == ("[web1] é", True)
    assert views.row(bad)["log"] == "[web1] \ufffd\n"


def pages_of(
    *pieces: bytes, failure: grpc.aio.AioRpcError | None = None
) -> Callable[[], AsyncIterator[bytes]]:
    async def pages() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece
        if failure is not None:
            raise failure

    return pages


def streamed(entry: task_pb2.RunLogEntry, pages: Callable[[], AsyncIterator[bytes]]) -> Any:
    async def collect() -> bytes:
        body = views.streamed_output(entry, pages, lambda exc: f"master {exc.code().name}")
        return b"".join([piece async for piece in body])

    return json.loads(asyncio.run(collect()))


def test_a_streamed_output_row_is_the_row_with_its_whole_log() -> None:
    text = 'line "one" \\ é€\nline two\n'.encode()
    pieces = [text[i : i + 3] for i in range(0, len(text), 3)]

    answer = streamed(output(b"l"), pages_of(*pieces))

    assert answer == views.row(output(text))


def test_a_master_failing_midway_ends_the_row_in_valid_json_saying_so() -> None:
    lost = refusal(grpc.StatusCode.UNAVAILABLE, "gone")

    answer = streamed(output(b""), pages_of(b"first\nsec", "\u00e9".encode()[:1], failure=lost))

    assert answer["log"] == "[web1] first\n[web1] sec\ufffd"
    assert (answer["truncated"], answer["detail"]) == (True, "master UNAVAILABLE")


@pytest.mark.parametrize(
    ("values", "keys"),
    [
        ({"pk": ["1,2,3"]}, [1, 2, 3]),
        ({"pk": [" 4 , 5,,"]}, [4, 5]),
        ({"pk[]": ["7", "8"]}, [7, 8]),
        ({"pk[]": [7, 8]}, [7, 8]),
        ({"pk": [3], "pk[]": ["3", 9]}, [3, 9]),
        ({"pk": ["01"]}, [1]),
    ],
)
def test_bulk_delete_keys_come_from_pk_and_pk_brackets(
    values: dict[str, list[Any]], keys: list[int]
) -> None:
    assert logforms.row_keys(values) == keys


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({}, "pk"),
        ({"pk": [""]}, "pk"),
        ({"pk": ["1,x"]}, "pk"),
        ({"pk": ["0"]}, "pk"),
        ({"pk[]": ["-2"]}, "pk[]"),
        ({"pk[]": [True]}, "pk[]"),
        ({"pk[]": [[1]]}, "pk[]"),
        ({"pk[]": [1.5]}, "pk[]"),
        ({"pk": [",".join(map(str, range(1, 1002)))]}, "pk"),
    ],
)
def test_bad_bulk_delete_keys_are_named(values: dict[str, list[Any]], field: str) -> None:
    with pytest.raises(FieldError) as refused:
        logforms.row_keys(values)

    assert (refused.value.field, refused.value.status) == (field, 400)


def body_request(body: bytes, content_type: str, query: str = "") -> Request[Any]:
    scope = {
        "type": "http",
        "method": "DELETE",
        "path": "/api/job/log/",
        "query_string": query.encode(),
        "headers": [(b"content-type", content_type.encode())] if content_type else [],
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(scope, receive)


@pytest.mark.parametrize(
    ("body", "content_type", "query", "keys"),
    [
        (b"pk[]=3&pk[]=5&other=1", "application/x-www-form-urlencoded", "", [3, 5]),
        (b"pk=3%2C5&pk%5B%5D=9", "application/x-www-form-urlencoded", "", [3, 5, 9]),
        (b'{"pk": "3,5", "pk[]": [9]}', "application/json", "", [3, 5, 9]),
        (b'{"pk": 3, "pk[]": null}', "application/json", "", [3]),
        (b"", "", "pk=3,5", [3, 5]),
        (b"", "", "pk[]=3&pk[]=5", [3, 5]),
        (b'{"pk[]": [9]}', "application/json", "pk=3", [9]),  # the body first
    ],
)
def test_keys_are_read_from_a_form_json_or_else_the_query(
    body: bytes, content_type: str, query: str, keys: list[int]
) -> None:
    async def read() -> list[int]:
        request = body_request(body, content_type, query)
        return logforms.row_keys(await logforms.key_values(request))

    assert asyncio.run(read()) == keys


def test_a_note_is_not_blank_and_at_most_64_kib_of_utf8() -> None:
    assert logforms.note_text({"log": "\n two \n"}) == "\n two \n"
    assert logforms.note_text({"log": "é" * 32768}) == "é" * 32768
    for fields in ({}, {"log": ""}, {"log": "  \n"}, {"log": 5}, {"log": "é" * 32769}):
        with pytest.raises(FieldError) as refused:
            logforms.note_text(fields)
        assert refused.value.field == "log"
    assert logforms.changed_text({"job": 3}) == ""
    with pytest.raises(FieldError):
        logforms.changed_text({"log": " "})


@pytest.mark.parametrize(
    ("limit", "each"), [(1, 256 << 10), (8, 256 << 10), (20, 104857), (1000, 2097)]
)
def test_a_list_page_shares_its_text_budget(limit: int, each: int) -> None:
    assert row_bytes(limit) == each
