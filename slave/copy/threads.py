"""Blocking calls in threads, without clean-up racing a call still in flight."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")

SETTLE_TIMEOUT = 30.0
"""How long a cancelled copy waits for its thread's current call (one block of IO)."""


async def whole(call: Awaitable[T], on_cancel: Callable[[], None] | None = None) -> T:
    """Await a call running in a thread; when cancelled meanwhile, wait for the call to return
    (up to SETTLE_TIMEOUT) before the CancelledError goes on, so that clean-up (closing the
    file, removing the temp file) never runs beside it. `on_cancel` may ask the call to stop
    early (a long one that checks a flag)."""
    running = asyncio.ensure_future(call)
    try:
        return await asyncio.shield(running)
    except asyncio.CancelledError:
        if on_cancel is not None:
            on_cancel()
        await asyncio.wait({running}, timeout=SETTLE_TIMEOUT)
        if running.done() and not running.cancelled():
            running.exception()  # retrieved: the copy is being cancelled anyway
        raise


async def in_thread(fn: Callable[..., T], *args: Any) -> T:
    """fn(*args) in the default executor, awaited whole."""
    return await whole(asyncio.to_thread(fn, *args))
