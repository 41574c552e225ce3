"""How the commands print: colour only on a terminal (never with $NO_COLOR), aligned columns
for people, JSON (the proto's JSON mapping) for programs."""

from __future__ import annotations

import json
import os
import re
import sys
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from jobfleet.v1 import common_pb2

RESET = "\x1b[0m"
ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
PREFIX_COLOURS = ("\x1b[36m", "\x1b[35m", "\x1b[33m", "\x1b[34m", "\x1b[32m", "\x1b[96m")
STATUS_COLOURS = {"success": "\x1b[32m", "fail": "\x1b[31m", "killed": "\x1b[33m"}

TASK_WORD = {v: k.removeprefix("TASK_STATUS_").lower() for k, v in common_pb2.TaskStatus.items()}
STEP_WORD = {
    v: k.removeprefix("SUBTASK_STATUS_").lower() for k, v in common_pb2.SubtaskStatus.items()
}
EXEC_WORD = {
    v: k.removeprefix("EXECUTION_STATUS_").lower() for k, v in common_pb2.ExecutionStatus.items()
}


def colour_on(stream: TextIO) -> bool:
    """Colour for `stream`: it is a terminal and $NO_COLOR is unset (or empty)."""
    return not os.environ.get("NO_COLOR") and stream.isatty()


def painted(text: str, colour: str, on: bool) -> str:
    return f"{colour}{text}{RESET}" if on else text


def node_prefix(node: str, on: bool) -> str:
    """`[node]`, in a colour of its own (the same every time) when `on`."""
    colour = PREFIX_COLOURS[zlib.crc32(node.encode()) % len(PREFIX_COLOURS)]
    return painted(f"[{node}]", colour, on)


def status(word: str, on: bool) -> str:
    return painted(word, STATUS_COLOURS.get(word, ""), on and word in STATUS_COLOURS)


def as_json(message: Message) -> dict[str, Any]:
    found: dict[str, Any] = MessageToDict(message, preserving_proto_field_name=True)
    return found


def print_json(value: Any, out: TextIO = sys.stdout) -> None:
    if isinstance(value, Message):
        value = as_json(value)
    elif isinstance(value, list):
        value = [as_json(v) if isinstance(v, Message) else v for v in value]
    print(json.dumps(value, indent=2, sort_keys=True), file=out)


def when(ts: Timestamp) -> str:
    """A timestamp as local `YYYY-MM-DD HH:MM:SS`; "-" when unset."""
    if not ts.seconds and not ts.nanos:
        return "-"
    return datetime.fromtimestamp(ts.seconds, UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], out: TextIO = sys.stdout) -> None:
    """Columns aligned on the widest cell (colour codes take no room); the last column is not
    padded."""
    cells = [[str(c) for c in row] for row in [headers, *rows]]
    widths = [max(shown_len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        padded = [c + " " * (w - shown_len(c)) for c, w in zip(row[:-1], widths[:-1], strict=True)]
        print("  ".join([*padded, row[-1]]).rstrip(), file=out)


def shown_len(text: str) -> int:
    return len(ESCAPE.sub("", text))
