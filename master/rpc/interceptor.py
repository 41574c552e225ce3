"""The server interceptor that puts every call of a guarded service through auth.py first.

Credentials are call metadata: `authorization: Token <t>`, or OpenC3's `appkey: <t>`; a slave
calling FileService adds `jobfleet-slave: <name>`. Each RPC shape gets its own wrapper around
the servicer's handler, built once per method: a request is checked before the servicer sees
it, a request stream at its first message. A refusal aborts the call with its status (errors.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
from google.protobuf.message import Message

from jobfleet.v1 import (
    approval_pb2,
    auth_pb2,
    catalog_pb2,
    cluster_pb2,
    crontab_pb2,
    notify_pb2,
    report_pb2,
    slave_pb2,
    task_pb2,
    terminal_pb2,
)
from master.errors import JobfleetError
from master.rpc.auth import Authenticator
from master.rpc.context import CALLER, Caller, Context
from master.rpc.errors import abort

GUARDED = frozenset(
    {
        task_pb2.DESCRIPTOR.services_by_name["TaskService"].full_name,
        catalog_pb2.DESCRIPTOR.services_by_name["CatalogService"].full_name,
        crontab_pb2.DESCRIPTOR.services_by_name["CrontabService"].full_name,
        auth_pb2.DESCRIPTOR.services_by_name["TokenService"].full_name,
        approval_pb2.DESCRIPTOR.services_by_name["ApprovalService"].full_name,
        report_pb2.DESCRIPTOR.services_by_name["ReportService"].full_name,
        notify_pb2.DESCRIPTOR.services_by_name["NotifyService"].full_name,
        terminal_pb2.DESCRIPTOR.services_by_name["TerminalService"].full_name,
        cluster_pb2.DESCRIPTOR.services_by_name["MasterService"].full_name,
    }
)
"""The Control services: a token of a project, or the admin's. ApprovalLinkService is not one:
the approver's link token is its credential (master/tasks/approval_answers.py)."""
UNGUARDED = frozenset({"/jobfleet.v1.TerminalService/OpenTerminal"})
"""Methods of a Control service that check their caller themselves: OpenTerminal opens with a
single-use ticket instead of call credentials, or checks the call's token on its `open` frame
with the same Authenticator (master/rpc/terminal_service.py)."""
SLAVE_SIDE = frozenset(
    {
        slave_pb2.DESCRIPTOR.services_by_name["FileService"].full_name,
        slave_pb2.DESCRIPTOR.services_by_name["SlaveTerminal"].full_name,
    }
)
"""Services for slaves: a slave's own credential, or the admin's token."""
SCHEME = "token "
SLAVE_NAME_KEY = "jobfleet-slave"

Identify = Callable[[Any], Awaitable[Caller]]
"""Who calls, from the call's metadata."""
Permit = Callable[[Caller, Message], None]


def presented(metadata: Any) -> str:
    """The token in the call's metadata, or ""."""
    pairs = {str(k).lower(): v for k, v in (metadata or ())}
    auth = pairs.get("authorization", "")
    if isinstance(auth, str) and auth[: len(SCHEME)].lower() == SCHEME:
        return auth[len(SCHEME) :].strip()
    key = pairs.get("appkey", "")
    return key.strip() if isinstance(key, str) else ""


def metadata_value(metadata: Any, key: str) -> str:
    value = {str(k).lower(): v for k, v in (metadata or ())}.get(key, "")
    return value.strip() if isinstance(value, str) else ""


class AuthInterceptor(grpc.aio.ServerInterceptor):
    """Each method's handler is wrapped once, the first time it is called: a call then costs a
    lookup, not a new handler (the wrapper reads the call's credentials from its context)."""

    def __init__(self, auth: Authenticator) -> None:
        self.auth = auth
        self._wrapped: dict[str, tuple[Any, Any]] = {}
        """Per method served: the servicer's handler and the one returned for it. Only methods
        with a handler get in, so unknown method names sent by clients do not grow it."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        if handler is None:
            return handler
        method: str = details.method
        known = self._wrapped.get(method)
        if known is not None and known[0] is handler:
            return known[1]
        wrapped = self._wrap(method, handler)
        self._wrapped[method] = (handler, wrapped)
        return wrapped

    def _wrap(self, method: str, handler: Any) -> Any:
        """The handler that checks every call of `method` first (or `handler`: not guarded)."""
        service = method.split("/")[1]
        if service not in GUARDED | SLAVE_SIDE or method in UNGUARDED:
            return handler
        if service in SLAVE_SIDE:
            return guarded(handler, self._slave(method), lambda who, req: None)
        return guarded(handler, self._control(method), self._permit(method))

    def _control(self, method: str) -> Identify:
        async def identify(metadata: Any) -> Caller:
            return await self.auth.identify(presented(metadata), method)

        return identify

    def _permit(self, method: str) -> Permit:
        def permit(who: Caller, request: Message) -> None:
            self.auth.permit(who, method, request)

        return permit

    def _slave(self, method: str) -> Identify:
        async def identify(metadata: Any) -> Caller:
            token, name = presented(metadata), metadata_value(metadata, SLAVE_NAME_KEY)
            return await self.auth.identify_slave(token, name, method)

        return identify


class Gate:
    """Who calls (`identify`, from the call's metadata), then whether they may make this
    request (`permit`); a refusal aborts the call, a pass leaves the caller in CALLER for the
    servicer."""

    def __init__(self, identify: Identify, permit: Permit) -> None:
        self.identify = identify
        self.permit = permit

    async def check(self, request: Message, context: Context) -> None:
        try:
            who = await self.identify(context.invocation_metadata())
            self.permit(who, request)
            CALLER.set(who)
        except JobfleetError as exc:
            await abort(context, exc)  # raises

    async def checked(
        self, requests: AsyncIterator[Message], context: Context
    ) -> AsyncIterator[Message]:
        """The request stream, its first message checked before the servicer sees it."""
        try:
            who = await self.identify(context.invocation_metadata())
        except JobfleetError as exc:
            await abort(context, exc)
        first = True
        async for msg in requests:
            if first:
                try:
                    self.permit(who, msg)
                    CALLER.set(who)
                except JobfleetError as exc:
                    await abort(context, exc)
                first = False
            yield msg


def guarded(handler: Any, identify: Identify, permit: Permit) -> Any:
    """The same handler, each call checked first (streamed requests: at their first message)."""
    gate = Gate(identify, permit)
    kw = {
        "request_deserializer": handler.request_deserializer,
        "response_serializer": handler.response_serializer,
    }
    if handler.unary_unary:
        return grpc.unary_unary_rpc_method_handler(_unary_unary(handler.unary_unary, gate), **kw)
    if handler.unary_stream:
        return grpc.unary_stream_rpc_method_handler(_unary_stream(handler.unary_stream, gate), **kw)
    if handler.stream_unary:
        return grpc.stream_unary_rpc_method_handler(_stream_unary(handler.stream_unary, gate), **kw)
    return grpc.stream_stream_rpc_method_handler(_stream_stream(handler.stream_stream, gate), **kw)


def _unary_unary(inner: Any, gate: Gate) -> Any:
    async def unary_unary(request: Message, context: Context) -> Any:
        await gate.check(request, context)
        return await inner(request, context)

    return unary_unary


def _unary_stream(inner: Any, gate: Gate) -> Any:
    async def unary_stream(request: Message, context: Context) -> AsyncIterator[Any]:
        await gate.check(request, context)
        async for item in inner(request, context):
            yield item

    return unary_stream


def _stream_unary(inner: Any, gate: Gate) -> Any:
    async def stream_unary(requests: AsyncIterator[Message], context: Context) -> Any:
        return await inner(gate.checked(requests, context), context)

    return stream_unary


def _stream_stream(inner: Any, gate: Gate) -> Any:
    async def stream_stream(
        requests: AsyncIterator[Message], context: Context
    ) -> AsyncIterator[Any]:
        async for item in inner(gate.checked(requests, context), context):
            yield item

    return stream_stream
