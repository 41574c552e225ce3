"""Progress lines: every tenth (not more than every half second) or every 2 s, none for small
transfers; the summary's wording."""

from __future__ import annotations

import asyncio

from slave.copy.progress import CopyLog, Progress, rate_text, short_sha, took_text
from tests.unit.slave.slavetest import ListSink

MB = 1 << 20


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def lines(sink: ListSink) -> list[str]:
    return sink.output_bytes.decode().splitlines()


def test_tenths_of_a_big_transfer_but_not_faster_than_half_a_second() -> None:
    async def scenario() -> list[str]:
        sink, clock = ListSink(), Clock()
        progress = Progress(CopyLog(1, sink), 100 * MB, clock)
        for _ in range(100):  # 1 MB each 0.1 s: 10 MB/s
            clock.now += 0.1
            await progress.add(MB)
        assert [c.seq for c in sink.chunks] == list(range(len(sink.chunks)))
        return lines(sink)

    got = asyncio.run(scenario())
    assert len(got) == 9  # 10% ... 90%; the summary says 100 %
    assert got[0] == f"  {10 * MB} of {100 * MB} bytes (10%), 10 MB/s"


def test_small_transfers_are_quiet_and_unknown_sizes_report_every_two_seconds() -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        small, unknown, clock = ListSink(), ListSink(), Clock()
        quiet = Progress(CopyLog(1, small), MB, clock)
        tree = Progress(CopyLog(2, unknown), None, clock)
        for _ in range(50):
            clock.now += 0.1
            await quiet.add(1000)
            await tree.add(MB)
        return lines(small), lines(unknown)

    small, unknown = asyncio.run(scenario())
    assert small == []
    assert len(unknown) == 2 and unknown[0].endswith(" bytes, 10 MB/s")


def test_summary_pieces() -> None:
    assert took_text(209715200, 1.9) == "in 1.9 s (110 MB/s)"
    assert rate_text(5_000_000, 1.0) == "5.0 MB/s"
    assert short_sha("ab12" * 16) == "ab12ab12ab12…"
