"""OutputPump over scripted streams: chunks of one stream each, one gapless seq over both in
the order the bytes came (a switch of stream ends a chunk), size and time flushes, the drain
deadline."""

from __future__ import annotations

import asyncio
import os
from collections import deque

from slave.commands.output import OutputPump
from slave.commands.pipes import PipePair
from slave.messages import Piece
from tests.unit.slave.slavetest import WAIT, ListSink, poll

OUT, ERR = False, True


class Scripted:
    """Streams whose pieces the test hands over when it wants."""

    def __init__(self) -> None:
        self.pieces: deque[Piece] = deque()
        self.more = asyncio.Event()

    def put(self, stderr: bool, data: bytes) -> None:
        self.pieces.append(Piece(stderr, data))
        self.more.set()

    def end(self) -> None:
        self.put(OUT, b"")

    async def read_piece(self, limit: int) -> Piece:
        while not self.pieces:
            self.more.clear()
            await self.more.wait()
        piece = self.pieces.popleft()
        if len(piece.data) > limit:
            self.pieces.appendleft(Piece(piece.stderr, piece.data[limit:]))
            piece = Piece(piece.stderr, piece.data[:limit])
        return piece


def pump(
    streams: Scripted, flush_bytes: int = 1 << 16, interval: float = 0.05, max_chunk: int = 0
) -> tuple[OutputPump, ListSink]:
    sink = ListSink()
    return OutputPump(7, streams, sink, flush_bytes, interval, max_chunk or flush_bytes), sink


def test_each_chunk_is_one_stream_and_a_switch_of_stream_ends_it() -> None:
    async def scenario() -> ListSink:
        streams = Scripted()
        output, sink = pump(streams, interval=0.2)
        running = asyncio.create_task(output.run())
        streams.put(OUT, b"out1\n")
        streams.put(OUT, b"out2\n")  # same stream, within the interval: joins out1
        streams.put(ERR, b"err1\n")  # a switch: out1+out2 go first, whole
        streams.put(OUT, b"out3\n")
        await poll(lambda: len(sink.chunks) == 2)
        streams.put(ERR, b"err2\n")
        streams.end()
        await asyncio.wait_for(running, WAIT)
        assert output.chunks == 4
        return sink

    sink = asyncio.run(scenario())

    assert sink.pieces == [
        (OUT, b"out1\nout2\n"),
        (ERR, b"err1\n"),
        (OUT, b"out3\n"),
        (ERR, b"err2\n"),
    ]
    assert [c.seq for c in sink.chunks] == [0, 1, 2, 3]
    assert {c.execution_id for c in sink.chunks} == {7}


def test_a_full_buffer_goes_out_after_the_other_streams_older_bytes() -> None:
    async def scenario() -> ListSink:
        streams = Scripted()
        output, sink = pump(streams, flush_bytes=8, interval=30.0)
        running = asyncio.create_task(output.run())
        streams.put(OUT, b"old")
        streams.put(ERR, b"x" * 20)
        await poll(lambda: len(sink.chunks) == 3)  # no timer: the size alone sent them
        streams.end()
        await asyncio.wait_for(running, WAIT)
        return sink

    sink = asyncio.run(scenario())

    assert sink.pieces == [(OUT, b"old"), (ERR, b"x" * 8), (ERR, b"x" * 8), (ERR, b"x" * 4)]


def test_a_quiet_stream_goes_out_within_the_interval_while_both_stay_open() -> None:
    async def scenario() -> ListSink:
        streams = Scripted()
        output, sink = pump(streams)
        running = asyncio.create_task(output.run())
        streams.put(ERR, b"warning\n")
        await poll(lambda: bool(sink.chunks), timeout=1.0)
        assert not running.done()
        streams.end()
        await asyncio.wait_for(running, WAIT)
        return sink

    assert asyncio.run(scenario()).pieces == [(ERR, b"warning\n")]


def test_reading_stops_at_the_drain_deadline_and_keeps_what_came() -> None:
    async def scenario() -> tuple[OutputPump, ListSink]:
        streams = Scripted()  # never ends: a background child holds a pipe
        output, sink = pump(streams, interval=30.0)
        running = asyncio.create_task(output.run())
        streams.put(ERR, b"e")
        streams.put(OUT, b"o")
        await asyncio.sleep(0)
        output.main_exited(0.2)
        await asyncio.wait_for(running, WAIT)
        return output, sink

    output, sink = asyncio.run(scenario())

    assert output.cut_short
    assert sink.pieces == [(ERR, b"e"), (OUT, b"o")]


def test_output_that_came_together_leaves_in_chunks_of_up_to_max_chunk() -> None:
    async def scenario() -> ListSink:
        streams = Scripted()
        output, sink = pump(streams, flush_bytes=8, interval=30.0, max_chunk=16)
        running = asyncio.create_task(output.run())
        streams.put(OUT, b"x" * 20)
        await poll(lambda: len(sink.chunks) == 1)  # 16 sent at once, 4 wait for more
        streams.put(OUT, b"y" * 3)
        streams.end()
        await asyncio.wait_for(running, WAIT)
        return sink

    assert asyncio.run(scenario()).pieces == [(OUT, b"x" * 16), (OUT, b"x" * 4 + b"y" * 3)]


def test_pieces_queued_in_the_pipes_are_read_as_one_of_their_stream() -> None:
    async def scenario() -> list[Piece]:
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        pair = await PipePair.connect(out_read, err_read, 1 << 20)
        for fd, data in ((out_write, b"a"), (out_write, b"b"), (err_write, b"c")):
            os.write(fd, data)
            await asyncio.sleep(0.01)  # one read each
        os.write(out_write, b"d" * 10)
        await asyncio.sleep(0.01)
        os.close(out_write)
        os.close(err_write)
        pieces = []
        while (piece := await pair.read_piece(6)).data:
            pieces.append(piece)
        pair.close()
        return pieces

    assert asyncio.run(scenario()) == [
        Piece(OUT, b"ab"),
        Piece(ERR, b"c"),
        Piece(OUT, b"dddddd"),
        Piece(OUT, b"dddd"),
    ]
