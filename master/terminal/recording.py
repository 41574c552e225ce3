"""A shell session's output kept for replay: events buffered and written in batches while it
runs, rendered as an asciicast v2 file when read (a header line, then one JSON array per event:
seconds since the start, "o" with the output as text, or "r" with `COLSxROWS`). Input is never
kept, so what a password prompt hid stays hidden."""

from __future__ import annotations

import codecs
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

FLUSH_BYTES = 64 << 10
"""Buffered output written once it reaches this size..."""
FLUSH_EVENTS = 512
"""...or this many events..."""
FLUSH_SECONDS = 1.0
"""...or is this old at the next event: a busy terminal costs one INSERT per batch, not per
chunk."""

Event = tuple[float, str, bytes]  # seconds since the start, "o" | "r", data


@dataclass(frozen=True)
class Header:
    width: int
    height: int
    timestamp: int  # unix seconds the session opened
    term: str = ""


def header_line(h: Header) -> bytes:
    head: dict[str, object] = {
        "version": 2,
        "width": h.width,
        "height": h.height,
        "timestamp": h.timestamp,
    }
    if h.term:
        head["env"] = {"TERM": h.term}
    return json.dumps(head).encode() + b"\n"


class Renderer:
    """Renders events into asciicast v2 lines, page after page. Output split inside a UTF-8
    sequence is joined again (an incremental decoder); bytes that are not UTF-8 become U+FFFD."""

    def __init__(self) -> None:
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.last = 0.0

    def lines(self, events: Iterable[Event]) -> Iterator[bytes]:
        for at, kind, data in events:
            self.last = at
            if kind == "r":
                text = data.decode("ascii", "replace")
            else:
                text = self.decoder.decode(data)
                if not text:
                    continue
            yield json.dumps([round(at, 6), kind, text]).encode() + b"\n"

    def end(self) -> Iterator[bytes]:
        rest = self.decoder.decode(b"", final=True)
        if rest:
            yield json.dumps([round(self.last, 6), "o", rest]).encode() + b"\n"


def render(head: Header, events: Iterable[Event]) -> Iterator[bytes]:
    """The whole asciicast v2 file, a line at a time."""
    renderer = Renderer()
    yield header_line(head)
    yield from renderer.lines(events)
    yield from renderer.end()


def resize_data(cols: int, rows: int) -> bytes:
    return f"{cols}x{rows}".encode()


class Recorder:
    """Collects a session's events into batches to write (numbered from 0, in order)."""

    def __init__(self, started: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.started = started  # clock() when the session opened
        self.clock = clock
        self.pending: list[Event] = []
        self.pending_bytes = 0
        self.next_seq = 0
        self.oldest = 0.0

    def add(self, kind: str, data: bytes) -> list[Event]:
        """Buffer an event; the batch to write now ([] when it is not yet due)."""
        now = self.clock()
        if not self.pending:
            self.oldest = now
        self.pending.append((now - self.started, kind, data))
        self.pending_bytes += len(data)
        due = (
            self.pending_bytes >= FLUSH_BYTES
            or len(self.pending) >= FLUSH_EVENTS
            or now - self.oldest >= FLUSH_SECONDS
        )
        return self.take() if due else []

    def take(self) -> list[Event]:
        batch, self.pending, self.pending_bytes = self.pending, [], 0
        return batch

    def numbered(self, batch: list[Event]) -> int:
        """The first sequence number of `batch` (numbers are taken in order)."""
        first = self.next_seq
        self.next_seq += len(batch)
        return first
