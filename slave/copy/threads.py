"""Blocking calls in threads, without clean-up racing a call still in flight; and the copy's
own thread, which acts as the copy's account (fsids.py) for every file operation."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from slave.commands.runas import RunAs
from slave.copy.errors import CopyError
from slave.copy.fsids import act_as

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


def account_error(run_as: RunAs, exc: OSError) -> CopyError:
    return CopyError(f"cannot act as {run_as.name}: {exc.strerror or exc}")


class AccountThread:
    """One copy's thread: every file operation of the copy runs in it, as `run_as`. It takes
    no other work and ends with the copy, so its identity never leaks to anything else."""

    def __init__(self, run_as: RunAs) -> None:
        self.run_as = run_as
        self._failure: OSError | None = None
        self._pool = concurrent.futures.ThreadPoolExecutor(
            1, thread_name_prefix=f"copy-as-{run_as.name}", initializer=self._become
        )

    async def call(
        self, fn: Callable[..., T], *args: Any, on_cancel: Callable[[], None] | None = None
    ) -> T:
        """fn(*args) in this thread, awaited whole (see `whole`, also for `on_cancel`)."""
        loop = asyncio.get_running_loop()
        try:
            return await whole(loop.run_in_executor(self._pool, fn, *args), on_cancel)
        except concurrent.futures.BrokenExecutor:
            failure = self._failure or OSError("the thread did not start")
            raise account_error(self.run_as, failure) from None

    def close(self) -> None:
        """The thread ends once its current call (if any) returns."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _become(self) -> None:
        try:
            act_as(self.run_as)
        except OSError as exc:
            self._failure = exc
            raise
