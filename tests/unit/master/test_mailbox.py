"""A session's mailbox: first in, first out; a reader waits for the next item, and one that
is cancelled while waiting takes nothing away from the next."""

from __future__ import annotations

import asyncio

import pytest

from master.slaves.sessions import Mailbox


def test_items_come_out_in_order_and_an_empty_box_says_so() -> None:
    box: Mailbox[int] = Mailbox()
    for item in (1, 2, 3):
        box.put_nowait(item)

    assert [box.get_nowait(), box.get_nowait()] == [1, 2]
    assert not box.empty()
    assert box.get_nowait() == 3 and box.empty()
    with pytest.raises(asyncio.QueueEmpty):
        box.get_nowait()


def test_a_reader_waits_for_the_next_item_and_a_cancelled_one_takes_none() -> None:
    async def scenario() -> list[int]:
        box: Mailbox[int] = Mailbox()
        gone = asyncio.create_task(box.get())
        await asyncio.sleep(0)  # it waits
        gone.cancel()
        reader = asyncio.create_task(box.get())
        await asyncio.sleep(0)
        box.put_nowait(7)
        box.put_nowait(8)
        return [await reader, await box.get()]

    assert asyncio.run(scenario()) == [7, 8]
