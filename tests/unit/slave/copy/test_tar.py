"""The thread-to-loop pipe under a local directory's tar: order, bounds, errors, a gone reader."""

from __future__ import annotations

import asyncio
import threading

import pytest

from slave.copy.tar import Pipe


def test_bytes_arrive_in_order_in_chunks_of_the_size() -> None:
    async def scenario() -> list[bytes]:
        pipe = Pipe(size=4, depth=2)

        def produce() -> None:
            for piece in (b"abc", b"defgh", b"ij"):
                pipe.write(piece)
            pipe.finish()

        threading.Thread(target=produce).start()
        chunks = []
        while chunk := await pipe.read():
            chunks.append(chunk)
        return chunks

    assert asyncio.run(scenario()) == [b"abcd", b"efgh", b"ij"]


def test_the_producers_error_reaches_the_reader_and_a_closed_pipe_stops_the_producer() -> None:
    async def scenario() -> BaseException | None:
        pipe = Pipe(size=1, depth=1)
        pipe.finish(OSError(13, "Permission denied"))
        with pytest.raises(OSError, match="Permission denied"):
            await pipe.read()
        stuck = Pipe(size=1, depth=1)
        failure: list[BaseException] = []

        def produce() -> None:
            try:
                stuck.write(b"abc")  # blocks after the first chunk: nobody reads
            except BaseException as exc:
                failure.append(exc)

        thread = threading.Thread(target=produce)
        thread.start()
        await asyncio.sleep(0.1)
        stuck.close()
        await asyncio.to_thread(thread.join, 5)
        return failure[0] if failure else None

    assert isinstance(asyncio.run(scenario()), BrokenPipeError)
