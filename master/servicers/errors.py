"""Domain errors become gRPC statuses here, once, for every servicer method."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import grpc
from google.protobuf.message import Message
from jobfleet.logs import printable

from master.errors import JobfleetError
from master.servicers.checks import no_nul

logger = logging.getLogger(__name__)
FIELD_KEY = "jobfleet-field"

Req = TypeVar("Req")
Resp = TypeVar("Resp")
Self = TypeVar("Self")


async def abort(context: grpc.aio.ServicerContext[Any, Any], exc: JobfleetError) -> None:
    await context.abort(exc.code, str(exc), trailing_metadata=((FIELD_KEY, exc.field),))


def unary(
    fn: Callable[[Self, Req, grpc.aio.ServicerContext[Any, Any]], Awaitable[Resp]],
) -> Callable[[Self, Req, grpc.aio.ServicerContext[Any, Any]], Awaitable[Resp]]:
    @functools.wraps(fn)
    async def wrapper(
        self: Self, request: Req, context: grpc.aio.ServicerContext[Any, Any]
    ) -> Resp:
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
    fn: Callable[[Self, Req, grpc.aio.ServicerContext[Any, Any]], AsyncIterator[Resp]],
) -> Callable[[Self, Req, grpc.aio.ServicerContext[Any, Any]], AsyncIterator[Resp]]:
    @functools.wraps(fn)
    async def wrapper(
        self: Self, request: Req, context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[Resp]:
        try:
            if isinstance(request, Message):
                no_nul(request)
            async for item in fn(self, request, context):
                yield item
        except JobfleetError as exc:
            logger.info("%s refused: %s", fn.__name__, printable(str(exc)))
            await abort(context, exc)

    return wrapper
