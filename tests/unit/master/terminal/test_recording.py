"""Recorded sessions: the asciicast v2 file rendered from stored events, and the batching that
keeps a busy terminal from costing one INSERT per chunk."""

from __future__ import annotations

import json

from master.terminal.recording import (
    FLUSH_BYTES,
    FLUSH_SECONDS,
    Header,
    Recorder,
    render,
    resize_data,
)


def lines(data: list[bytes]) -> list[object]:
    return [json.loads(line) for line in data]


def test_the_file_is_a_header_then_output_and_resize_events() -> None:
    head = Header(120, 40, 1_700_000_000, "xterm-256color")
    events = [(0.5, "o", b"$ ls\r\n"), (1.25, "r", resize_data(100, 30)), (2.0, "o", b"done")]

    header, *rest = lines(list(render(head, events)))

    assert header == {
        "version": 2,
        "width": 120,
        "height": 40,
        "timestamp": 1_700_000_000,
        "env": {"TERM": "xterm-256color"},
    }
    assert rest == [[0.5, "o", "$ ls\r\n"], [1.25, "r", "100x30"], [2.0, "o", "done"]]


def test_a_character_split_across_chunks_is_joined_and_bad_bytes_replaced() -> None:
    euro = "€".encode()
    events = [(0.1, "o", b"a" + euro[:1]), (0.2, "o", euro[1:] + b"b"), (0.3, "o", b"\xff")]

    _, *rest = lines(list(render(Header(80, 24, 0), events)))

    assert rest == [[0.1, "o", "a"], [0.2, "o", "€b"], [0.3, "o", "\ufffd"]]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_output_is_written_in_batches_numbered_in_order() -> None:
    clock = Clock()
    recorder = Recorder(clock(), clock)

    assert recorder.add("o", b"x") == []  # small and fresh: kept
    clock.now += 0.1
    assert recorder.add("o", b"y") == []
    big = recorder.add("o", b"z" * FLUSH_BYTES)  # past the size: the whole batch
    assert [(round(at, 3), kind, len(d)) for at, kind, d in big] == [
        (0.0, "o", 1),
        (0.1, "o", 1),
        (0.1, "o", FLUSH_BYTES),
    ]
    assert recorder.numbered(big) == 0
    clock.now += FLUSH_SECONDS + 1
    assert recorder.add("o", b"late") == []  # the first of a new batch
    clock.now += FLUSH_SECONDS
    aged = recorder.add("r", b"90x20")
    assert len(aged) == 2 and recorder.numbered(aged) == 3
    assert recorder.take() == []
