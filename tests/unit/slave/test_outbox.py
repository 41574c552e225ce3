from __future__ import annotations

import asyncio

import pytest

from slave.messages import Chunk, Heartbeat, Result, Started, Status, utcnow
from slave.outbox import Kept, Outbox, Sendable

NOW = utcnow()


def chunk(eid: int, seq: int, size: int = 10) -> Chunk:
    return Chunk(eid, seq, bytes([seq % 256]) * size)


def result(eid: int) -> Result:
    return Result(eid, Status.SUCCESS, 0, "", 0, NOW, NOW)


async def live_now(outbox: Outbox) -> list[Sendable]:
    """Everything next_live() hands out right now."""
    items: list[Sendable] = []
    while True:
        try:
            items.append(await asyncio.wait_for(outbox.next_live(), 0.01))
        except TimeoutError:
            return items


def test_resume_returns_everything_kept_in_original_order() -> None:
    outbox = Outbox(1 << 20)
    items: list[Kept] = [chunk(1, 0), chunk(2, 0), chunk(1, 1), result(1), chunk(2, 1)]
    for item in items:
        outbox.keep(item)
    assert outbox.resume() == items
    assert outbox.resume() == items  # still unacked: a second reconnect sends them again


def test_acks_remove_exactly_what_they_name() -> None:
    outbox = Outbox(1 << 20)
    for item in [chunk(1, 0), chunk(1, 1), chunk(1, 2), chunk(2, 0)]:
        outbox.keep(item)
    assert outbox.ack_output(1, [0, 2, 7]) == 2  # 7 is unknown: a duplicate ack, ignored
    assert outbox.ack_output(1, [0]) == 0
    assert outbox.resume() == [chunk(1, 1), chunk(2, 0)]


def test_result_ack_forgets_the_execution_with_any_chunk_left() -> None:
    outbox = Outbox(1 << 20)
    kept: list[Kept] = [chunk(1, 0), chunk(2, 0), chunk(1, 1), result(1), result(2)]
    for item in kept:
        outbox.keep(item)
    assert outbox.finished_ids() == [1, 2]
    assert outbox.has_result(1)
    assert outbox.ack_result(1) == 3
    assert not outbox.has_result(1)
    assert outbox.finished_ids() == [2]
    assert outbox.resume() == [chunk(2, 0), result(2)]
    assert outbox.unacked_bytes == 10


def test_one_stream_sends_snapshot_then_newer_items_once_each() -> None:
    async def scenario() -> None:
        outbox = Outbox(1 << 20)
        outbox.keep(chunk(1, 0))
        outbox.send(Started(1, 42, utcnow()))  # queued while no stream was up
        snapshot = outbox.resume()
        outbox.keep(chunk(1, 1))
        outbox.send(Heartbeat(1))
        outbox.keep(result(1))
        assert snapshot == [chunk(1, 0)]
        # the stale Started is gone; the snapshot's chunk is not queued a second time
        assert await live_now(outbox) == [chunk(1, 1), Heartbeat(1), result(1)]

    asyncio.run(scenario())


def test_reconnect_resends_unacked_including_what_went_out_live() -> None:
    async def scenario() -> None:
        outbox = Outbox(1 << 20)
        outbox.keep(chunk(1, 0))
        first = outbox.resume()
        outbox.keep(chunk(1, 1))
        outbox.keep(chunk(1, 2))
        sent_live = await live_now(outbox)
        outbox.ack_output(1, [1])
        outbox.keep(chunk(1, 3))  # queued, never written: the stream broke
        second = outbox.resume()
        assert first == [chunk(1, 0)]
        assert sent_live == [chunk(1, 1), chunk(1, 2)]
        assert second == [chunk(1, 0), chunk(1, 2), chunk(1, 3)]
        assert await live_now(outbox) == []  # nothing twice on the new stream

    asyncio.run(scenario())


def test_next_live_skips_items_acked_before_they_were_written() -> None:
    async def scenario() -> None:
        outbox = Outbox(1 << 20)
        outbox.resume()
        outbox.keep(chunk(1, 0))
        outbox.keep(chunk(1, 1))
        outbox.ack_output(1, [0])
        assert await live_now(outbox) == [chunk(1, 1)]

    asyncio.run(scenario())


def test_keeping_the_same_chunk_twice_is_a_bug() -> None:
    outbox = Outbox(1 << 20)
    outbox.keep(chunk(1, 0))
    with pytest.raises(ValueError):
        outbox.keep(chunk(1, 0))


def test_bytes_are_accounted_and_results_do_not_count() -> None:
    outbox = Outbox(1 << 20)
    outbox.keep(chunk(1, 0, size=100))
    outbox.keep(chunk(1, 1, size=50))
    outbox.keep(result(1))
    assert (outbox.unacked_bytes, len(outbox)) == (150, 3)
    outbox.ack_output(1, [0])
    assert (outbox.unacked_bytes, len(outbox)) == (50, 2)
    outbox.ack_result(1)
    assert (outbox.unacked_bytes, len(outbox)) == (0, 0)


def test_wait_for_room_blocks_at_the_cap_until_acks_free_room() -> None:
    async def scenario() -> None:
        outbox = Outbox(max_bytes=100)
        outbox.keep(chunk(1, 0, size=60))
        await asyncio.wait_for(outbox.wait_for_room(), 1)  # 60 < 100: room
        outbox.keep(chunk(1, 1, size=60))
        waiter = asyncio.create_task(outbox.wait_for_room())
        await asyncio.sleep(0.05)
        assert not waiter.done()  # 120 >= 100: the reader must wait
        outbox.ack_output(1, [0])
        await asyncio.wait_for(waiter, 1)  # 60 < 100 again

    asyncio.run(scenario())


def test_wait_empty_returns_once_everything_is_acked() -> None:
    async def scenario() -> None:
        outbox = Outbox(1 << 20)
        await asyncio.wait_for(outbox.wait_empty(), 1)
        outbox.keep(chunk(1, 0))
        outbox.keep(result(1))
        waiter = asyncio.create_task(outbox.wait_empty())
        await asyncio.sleep(0.02)
        outbox.ack_output(1, [0])
        await asyncio.sleep(0.02)
        assert not waiter.done()
        outbox.ack_result(1)
        await asyncio.wait_for(waiter, 1)

    asyncio.run(scenario())


def test_output_waits_while_the_stream_has_not_taken_what_was_queued() -> None:
    async def scenario() -> None:
        outbox = Outbox(1 << 20, max_unsent=20)
        outbox.keep(chunk(1, 0))
        outbox.keep(chunk(1, 1))
        await asyncio.wait_for(outbox.wait_for_room(), 1)  # no stream: only the cap counts
        outbox.resume()
        outbox.keep(chunk(1, 2))
        outbox.keep(chunk(1, 3))
        waiting = asyncio.create_task(outbox.wait_for_room())
        await asyncio.sleep(0.01)
        assert not waiting.done()
        assert await outbox.next_live() == chunk(1, 2)  # written: room again
        await asyncio.wait_for(waiting, 1)
        outbox.keep(chunk(1, 4))
        waiting = asyncio.create_task(outbox.wait_for_room())
        await asyncio.sleep(0.01)
        assert not waiting.done()
        outbox.detached()  # nothing is written until the next stream: the cap alone counts
        await asyncio.wait_for(waiting, 1)

    asyncio.run(scenario())


def test_a_result_kept_while_its_start_is_held_goes_alone_and_carries_the_start() -> None:
    async def scenario() -> None:
        outbox = Outbox(1 << 20, start_hold=5.0, max_start_hold=5.0)
        outbox.resume()
        outbox.send_start(Started(1, 42, NOW))
        assert await live_now(outbox) == []  # held
        ended = Result(1, Status.SUCCESS, 0, "", 0, NOW, NOW, pid=42)
        outbox.keep(ended)
        assert await live_now(outbox) == [ended]
        assert outbox.resume() == [ended]  # kept until acked, as any result

    asyncio.run(scenario())


def test_a_start_still_running_after_the_hold_is_written() -> None:
    async def scenario() -> None:
        outbox = Outbox(1 << 20, start_hold=0.02)
        outbox.resume()
        outbox.send_start(Started(1, 42, NOW))
        written = await asyncio.wait_for(outbox.next_live(), 5.0)
        assert written == Started(1, 42, NOW)
        outbox.keep(result(1))
        assert await live_now(outbox) == [result(1)]

    asyncio.run(scenario())


def test_output_sends_the_held_start_ahead_of_it() -> None:
    async def scenario() -> None:
        outbox = Outbox(1 << 20, start_hold=5.0, max_start_hold=5.0)
        outbox.resume()
        outbox.send_start(Started(1, 42, NOW))
        outbox.keep(chunk(1, 0))
        assert await live_now(outbox) == [Started(1, 42, NOW), chunk(1, 0)]
        outbox.send_start(Started(2, 43, NOW))
        outbox.keep(chunk(2, 0))
        outbox.keep(result(2))  # before the writer took the start: it stays, output follows it
        assert await live_now(outbox) == [Started(2, 43, NOW), chunk(2, 0), result(2)]

    asyncio.run(scenario())


def test_a_queued_start_not_written_yet_is_dropped_by_its_result() -> None:
    async def scenario() -> None:
        outbox = Outbox(1 << 20, start_hold=0)
        outbox.send_start(Started(1, 42, NOW))  # queued at once, no stream to write it on
        outbox.send_start(Started(2, 43, NOW))
        outbox.keep(result(1))
        assert await live_now(outbox) == [Started(2, 43, NOW), result(1)]

    asyncio.run(scenario())


def test_the_hold_grows_with_the_runs_in_progress_up_to_its_cap() -> None:
    async def scenario() -> list[tuple[int, float]]:
        outbox = Outbox(1 << 20, start_hold=0.02, max_start_hold=0.1)
        outbox.resume()
        loop = asyncio.get_running_loop()
        began = loop.time()
        outbox.send_start(Started(1, 41, NOW), in_progress=1)  # 20 ms
        outbox.send_start(Started(2, 42, NOW), in_progress=3)  # 60 ms
        outbox.send_start(Started(3, 43, NOW), in_progress=50)  # capped: 100 ms
        written = []
        for _ in range(3):
            item = await asyncio.wait_for(outbox.next_live(), 5.0)
            assert isinstance(item, Started)
            written.append((item.execution_id, loop.time() - began))
        return written

    written = asyncio.run(scenario())
    assert [eid for eid, _ in written] == [1, 2, 3]
    held = dict(written)
    assert held[1] >= 0.019 and held[2] >= 0.059 and held[3] >= 0.099
