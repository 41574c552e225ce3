"""Domain errors become gRPC statuses here, once: every servicer method is wrapped in @unary or
@streaming, which also refuses a NUL in the request (checks.py) before the method runs."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from google.protobuf.message import Message

from jobfleet.logs import printable
from master.errors import JobfleetError
from master.rpc.checks import no_nul
from master.rpc.context import Context

logger = logging.getLogger(__name__)
FIELD_KEY = "jobfleet-field"

Req = TypeVar("Req")
Resp = TypeVar("Resp")
Self = TypeVar("Self")


async def abort(context: Context, exc: JobfleetError) -> None:
    await context.abort(exc.code, str(exc), trailing_metadata=((FIELD_KEY, exc.field),))


def unary(
    fn: Callable[[Self, Req, Context], Awaitable[Resp]],
) -> Callable[[Self, Req, Context], Awaitable[Resp]]:
    @functools.wraps(fn)
    async def wrapper(self: Self, request: Req, context: Context) -> Resp:
        try:
            if isinstance(request, Message):  # not a client stream's iterator
                no_nul(request)
            return await fn(self, request, context)
        except JobfleetError as exc:
            logger.info("%s refused: %s", fn.__name__, printable(str(exc)))
            await abort(context, exc)
            raise  # abort raises; this is for type checkers

    return wrapper


def streaming(
    fn: Callable[[Self, Req, Context], AsyncIterator[Resp]],
) -> Callable[[Self, Req, Context], AsyncIterator[Resp]]:
    @functools.wraps(fn)
    async def wrapper(self: Self, request: Req, context: Context) -> AsyncIterator[Resp]:
        try:
            if isinstance(request, Message):
                no_nul(request)
            async for item in fn(self, request, context):
                yield item
        except JobfleetError as exc:
            logger.info("%s refused: %s", fn.__name__, printable(str(exc)))
            await abort(context, exc)

    return wrapper
