"""The terminal log's rows (OpenC3's `id user node usr cmd time`, plus `session kind
task_uuid`) and a recording's chunks as a download."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import grpc

from gateway.openc3.views.tasks import format_time
from jobfleet.v1 import terminal_pb2

ASCIICAST = "application/x-asciicast"
SESSION = re.compile(r"[0-9A-Za-z-]{1,64}")
KIND_WORDS = {
    terminal_pb2.TERMINAL_LOG_KIND_START: "start",
    terminal_pb2.TERMINAL_LOG_KIND_LINE: "line",
    terminal_pb2.TERMINAL_LOG_KIND_HIDDEN: "hidden",
    terminal_pb2.TERMINAL_LOG_KIND_END: "end",
    terminal_pb2.TERMINAL_LOG_KIND_COMMAND: "command",
}


def log_row(entry: terminal_pb2.TerminalLogEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "user": entry.actor,
        "node": entry.node,
        "usr": entry.user,
        "cmd": entry.cmd,
        "time": format_time(entry, "time"),
        "session": entry.session_id,
        "kind": KIND_WORDS.get(entry.kind, "unknown"),
        "task_uuid": entry.task_uuid,
    }


async def first_chunk(call: Any) -> bytes:
    """The recording's first bytes (a GetTerminalRecording call): read before answering, so a
    refusal (another project's session, none recorded) is answered as one, not as a broken
    download."""
    chunk = await call.read()
    return b"" if chunk is grpc.aio.EOF else bytes(chunk.data)


async def rest(first: bytes, call: Any) -> AsyncIterator[bytes]:
    """The whole file: `first`, then each chunk as the master sends it."""
    yield first
    while (chunk := await call.read()) is not grpc.aio.EOF:
        yield bytes(chunk.data)
