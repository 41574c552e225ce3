"""The master's log entries -> OpsGrat's log rows (job-log-api.txt).

A row is `{id, job, ctime, log}` as the document has it, plus what a client needs to tell the
two kinds apart: `note` (true: an operator's note; false: a node's output), `author` (a note's
writer, "" for output), `node` (the output's node, "" for a note) and `truncated` (the text goes
on past what this answer holds: a list holds the first part of each, `GET /api/job/log/<id>/`
the whole).

An output row's `log` is one execution's output (one node, one step; a rerun node's attempts
are rows of their own), stdout and stderr interleaved as they came, every line labelled with
its node: `[<node>] ` before each line (a line ends at `\\n`; a `\\r` stays where it was, so
`\\r\\n` endings and progress bars read as they did on the terminal). `ctime` is the unix second
the execution (or note) was written.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc

from jobfleet.v1 import task_pb2


def label(node: str) -> str:
    """What starts each line of `node`'s output."""
    return f"[{node}] "


class Labeller:
    """Labels the lines of one node's output fed piece by piece (a line may span pieces)."""

    def __init__(self, node: str) -> None:
        self.label = label(node)
        self.at_line_start = True

    def feed(self, text: str) -> str:
        out: list[str] = []
        lines = text.split("\n")
        for index, line in enumerate(lines):
            last = index == len(lines) - 1
            if last and not line:
                break  # nothing after the last newline (yet)
            if self.at_line_start:
                out.append(self.label)
            out.append(line if last else line + "\n")
            self.at_line_start = not last
        return "".join(out)


def labelled(node: str, text: str) -> str:
    """Every line of `text` labelled with `node`."""
    return Labeller(node).feed(text)


def decoded(data: bytes, final: bool) -> str:
    """UTF-8 text; bad bytes are U+FFFD. Not `final` (a text cut short): a character cut in two
    at the end is left out rather than shown as U+FFFD."""
    return codecs.getincrementaldecoder("utf-8")("replace").decode(data, final=final)


def fields(entry: task_pb2.RunLogEntry) -> dict[str, Any]:
    """A row's keys but its text."""
    node = "" if entry.note else entry.execution.node
    return {
        "id": entry.id,
        "job": entry.task_id,
        "ctime": entry.created_at.seconds,
        "note": entry.note,
        "author": entry.author,
        "node": node,
    }


def row(entry: task_pb2.RunLogEntry) -> dict[str, Any]:
    """An entry as OpsGrat's rows have it (its text as much as the master answered)."""
    text = decoded(entry.text, final=not entry.truncated)
    log = text if entry.note else labelled(entry.execution.node, text)
    return {**fields(entry), "log": log, "truncated": entry.truncated}


def _json(value: Any) -> str:
    """As Starlette's JSONResponse writes it."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _piece(text: str) -> bytes:
    """Text as the inside of a JSON string; pieces joined make the string of the whole text."""
    return _json(text)[1:-1].encode()


async def streamed_output(
    entry: task_pb2.RunLogEntry,
    pages: Callable[[], AsyncIterator[bytes]],
    failure_detail: Callable[[grpc.aio.AioRpcError], str],
) -> AsyncIterator[bytes]:
    """An output row with its whole log, written as its pages arrive (labelled and escaped page
    by page), `truncated` last: once the first byte is out the status (200) is said, so a
    master failing midway ends the row `"truncated":true,"detail":"..."` in valid JSON."""
    yield (_json(fields(entry))[:-1] + ',"log":"').encode()
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    labeller = Labeller(entry.execution.node)
    try:
        async for page in pages():
            yield _piece(labeller.feed(decoder.decode(page)))
    except grpc.aio.AioRpcError as exc:
        tail = {"truncated": True, "detail": failure_detail(exc)}
        yield _piece(labeller.feed(decoder.decode(b"", final=True))) + b'",'
        yield _json(tail)[1:].encode()
        return
    yield _piece(labeller.feed(decoder.decode(b"", final=True))) + b'","truncated":false}'
