"""The terminal socket `/cmd/{projectid}/socket` <-> the master's OpenTerminal stream.

Who may open: the hello's ticket (issued with the page, single-use, bound by the master to the
caller, project and nodes), or the socket's own credentials (the session cookie or a token
header) opening what its query asks. Never a `?token=` in the URL, and never a page of another
site: a handshake whose `Origin` is not this host is refused whatever it carries.

Back-pressure both ways: the master's next frame is read only once the last one is sent to the
browser (a full browser socket holds the gRPC stream, which holds the slave), and each
keystroke frame is written to the call before the next one is received. Leaving (the page
closed, the socket dropped) cancels the call, which ends the remote processes; the master's
`closed` closes the socket with its reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from urllib.parse import urlsplit

import grpc
from starlette.websockets import WebSocket, WebSocketDisconnect

from gateway import forms
from gateway.auth import CREDENTIALS, SOCKET_QUERY_TOKEN, metadata, socket_refusal
from gateway.errors import Failure, FieldError, rpc_failure
from gateway.openc3 import names
from gateway.openc3.terminal import asked, control
from gateway.openc3.terminal.lines import (
    Echo,
    Exit,
    Interrupt,
    LineEditor,
    LineView,
    Submit,
    prompt,
)
from gateway.upstream import GatewayState
from jobfleet.v1 import terminal_pb2

logger = logging.getLogger(__name__)

SOCKET = "/cmd/{projectid}/socket"
CLOSE_DONE, CLOSE_REFUSED, CLOSE_BROKEN = 1000, 1008, 1011
HELLO_SECONDS = 30.0
MAX_REASON = 120  # a close frame's reason holds 123 bytes
Frame = terminal_pb2.TerminalClientFrame


class Refused(Exception):
    """The socket will not open; the message says why, naming the field."""


async def terminal_socket(websocket: WebSocket[GatewayState]) -> None:
    """The socket: refuse, or relay until either side ends."""
    await websocket.accept()
    try:
        project_id = forms.project_id(str(websocket.path_params.get("projectid", "")))
        hello = await _hello(websocket)
        ask, call_metadata, actor = opening(websocket, hello, project_id)
    except FieldError as exc:
        await _close(websocket, _info(exc.field, exc.message, 400), CLOSE_REFUSED)
        return
    except Refused as exc:
        await _close(websocket, str(exc), CLOSE_REFUSED)
        return
    master = websocket.state["master"]
    call = master.terminal.OpenTerminal(metadata=call_metadata)
    try:
        await Link(websocket, call, actor).run(ask)
    finally:
        call.cancel()


async def _hello(websocket: WebSocket[GatewayState]) -> control.Hello:
    try:
        message = await asyncio.wait_for(websocket.receive(), HELLO_SECONDS)
    except TimeoutError:
        raise Refused(_info("ticket", f"no first message in {HELLO_SECONDS:.0f} s", 400)) from None
    if message["type"] == "websocket.disconnect":
        raise Refused("gone")
    return control.hello(message.get("text"))


def opening(
    websocket: WebSocket[GatewayState], hello: control.Hello, project_id: int
) -> tuple[terminal_pb2.TerminalOpen, tuple[tuple[str, str], ...], str]:
    """The open to send, the call's metadata, and who the prompt names; or Refused."""
    scope = websocket.scope
    if scope.get(SOCKET_QUERY_TOKEN):
        why = "not taken on this socket: send the page's ticket, or the session cookie"
        raise Refused(_info("token", why, 401))
    if not same_origin(websocket.headers.get("origin"), websocket.headers.get("host", "")):
        raise Refused(_info("Origin", "another site's page may not open this socket", 403))
    size = terminal_pb2.TerminalSize(cols=hello.cols, rows=hello.rows)
    if hello.ticket:
        ticket_open = terminal_pb2.TerminalOpen(
            project_id=project_id, ticket=hello.ticket, size=size
        )
        return ticket_open, (), hello.actor or "you"
    refusal = socket_refusal(scope)
    if refusal is not None:
        raise Refused(names.failure_info(refusal))
    actor = websocket.headers.get("appname", "").strip() or "api"
    ask = asked.terminal_open(websocket.query_params, project_id, actor)
    ask.size.CopyFrom(size)
    return ask, metadata(CREDENTIALS.get()), actor


def same_origin(origin: str | None, host: str) -> bool:
    """No Origin (not a browser) or one naming this host (default ports aside)."""
    if origin is None:
        return True
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    return _host(parts.netloc) == _host(host)


def _host(netloc: str) -> str:
    netloc = netloc.strip().lower()
    for default in (":80", ":443"):
        netloc = netloc.removesuffix(default)
    return netloc


def _info(field: str, message: str, status: int) -> str:
    return names.failure_info(Failure(status, message, field))


class Link:
    """One open terminal: the browser's socket and the master's call."""

    def __init__(
        self, websocket: WebSocket[GatewayState], call: grpc.aio.StreamStreamCall, actor: str
    ) -> None:
        self.websocket = websocket
        self.call = call
        self.actor = actor
        self.sending = asyncio.Lock()
        self.editor: LineEditor | None = None
        self.view = LineView()
        self.writing = True

    async def run(self, ask: terminal_pb2.TerminalOpen) -> None:
        try:
            await self.call.write(Frame(open=ask))
            first = await self.call.read()
        except grpc.aio.AioRpcError as exc:
            await _close(self.websocket, _failure(exc), CLOSE_REFUSED)
            return
        if first is grpc.aio.EOF or first.WhichOneof("body") != "opened":
            await _close(self.websocket, "the master did not open the session", CLOSE_BROKEN)
            return
        await self._opened(first.opened)
        up = asyncio.ensure_future(self._upstream())
        down = asyncio.ensure_future(self._downstream())
        try:
            await asyncio.wait({up, down}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (up, down):
                task.cancel()
            await asyncio.gather(up, down, return_exceptions=True)

    async def _opened(self, opened: terminal_pb2.TerminalOpened) -> None:
        await self._text(control.opened(opened))
        if opened.mode == terminal_pb2.TERMINAL_MODE_LINES:
            self.editor = LineEditor(prompt(self.actor, opened.user, len(opened.nodes)))
            await self._bytes(self.editor.start())

    async def _upstream(self) -> None:
        """The browser's frames to the call, one written before the next is received."""
        with contextlib.suppress(grpc.aio.AioRpcError, grpc.aio.UsageError, RuntimeError):
            while True:
                message = await self.websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                if message.get("bytes") is not None:
                    await self._keys(message["bytes"])
                elif message.get("text") is not None:
                    await self._control(message["text"])

    async def _keys(self, data: bytes) -> None:
        if self.editor is None:
            await self._write(Frame(input=data))
            return
        for action in self.editor.feed(data):
            if isinstance(action, Echo):
                await self._bytes(action.data)
            elif isinstance(action, Submit):
                await self._bytes(self.view.submitted())
                await self._write(Frame(line=action.line))
            elif isinstance(action, Interrupt):
                await self._bytes(b"^C\r\n")
                await self._write(Frame(interrupt=True))
            elif isinstance(action, Exit):
                await self._bytes(b"\r\n")
                await self._done_writing()

    async def _control(self, text: str) -> None:
        try:
            size = control.resize(text)
        except FieldError:
            return  # a malformed control frame changes nothing
        if size is not None and self.editor is None:
            await self._write(Frame(resize=size))

    async def _write(self, frame: Frame) -> None:
        if self.writing:
            await self.call.write(frame)

    async def _done_writing(self) -> None:
        if self.writing:
            self.writing = False
            await self.call.done_writing()

    async def _downstream(self) -> None:
        """The master's frames to the browser, the next read only once the last is sent."""
        try:
            while True:
                frame = await self.call.read()
                if frame is grpc.aio.EOF:
                    await _close(self.websocket, "", CLOSE_DONE, "the session ended")
                    return
                if frame.WhichOneof("body") == "closed":
                    await self._closed(frame.closed)
                    return
                shown = self._shown(frame)
                if shown:
                    await self._bytes(shown)
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.CANCELLED:
                logger.warning("terminal socket: the master's stream failed: %s", exc.code().name)
            await _close(self.websocket, _failure(exc), CLOSE_BROKEN)
        except (WebSocketDisconnect, RuntimeError, OSError):
            return

    def _shown(self, frame: terminal_pb2.TerminalServerFrame) -> bytes:
        """What a frame of the master shows in the terminal."""
        body = frame.WhichOneof("body")
        if body == "output":
            return frame.output
        if body == "line_output":
            out = frame.line_output
            return self.view.output(out.node, out.data, out.stderr)
        if body == "line_finished":
            end = frame.line_finished
            return self.view.finished(end.node, end.exit_code, end.status, end.reason)
        if body == "line_summary":
            s = frame.line_summary
            shown = self.view.summary(s.task_uuid, s.succeeded, s.failed, s.seconds)
            return shown + (self.editor.done() if self.editor else b"")
        return b""

    async def _closed(self, closed: terminal_pb2.TerminalClosed) -> None:
        await self._text(control.closed(closed.exit_code, closed.reason))
        reason = closed.reason or f"the shell exited ({closed.exit_code})"
        await _close(self.websocket, "", CLOSE_DONE, reason)

    async def _bytes(self, data: bytes) -> None:
        async with self.sending:
            await self.websocket.send_bytes(data)

    async def _text(self, text: str) -> None:
        async with self.sending:
            await self.websocket.send_text(text)


def _failure(exc: grpc.aio.AioRpcError) -> str:
    return names.failure_info(rpc_failure(exc, names.dialect(SOCKET).rename))


async def _close(
    websocket: WebSocket[GatewayState], info: str, code: int, reason: str = ""
) -> None:
    """An `error` frame saying `info` (when given), then the close."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
        if info:
            await websocket.send_text(control.error(info))
        await websocket.close(code, (reason or info).encode()[:MAX_REASON].decode(errors="ignore"))
