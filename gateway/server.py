"""The gateway daemon: uvicorn on a socket we bound, with run()/shutdown()/async with.

uvicorn's own signal capture is turned off: signals belong to the CLI (CONVENTIONS 18), and
uvicorn would re-raise them after a graceful stop, so the process would not exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

import uvicorn

from gateway.app import create_app
from gateway.config import GatewayConfig, join_host_port
from gateway.keptprotocol import protocol_for

logger = logging.getLogger(__name__)

GRACE_SECONDS = 10
WS_MAX_MESSAGE = 64 * 1024
"""The largest message a WebSocket client may send (OpenC3's pages send `H` now and then)."""


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket; OSError (e.g. address in use) is the caller's to report.

    Made with proto IPPROTO_TCP, which `socket.create_server` leaves 0: asyncio turns on
    TCP_NODELAY only for connections of a socket that says it is TCP, and without it a kept-alive
    client waits out its delayed ACK (about 40 ms) for every answer sent as headers, then body.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def write_ready_file(path: Path, listen: str) -> None:
    """Atomically: readers see no file or the whole JSON, never half of it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"listen": listen}) + "\n")
    os.replace(tmp, path)


class _Uvicorn(uvicorn.Server):
    """uvicorn that leaves signals alone and reports when it is listening and when it begins to
    stop."""

    def __init__(
        self,
        config: uvicorn.Config,
        on_started: Callable[[], None],
        on_stopping: Callable[[], None],
    ) -> None:
        super().__init__(config)
        self._on_started = on_started
        self._on_stopping = on_stopping

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._on_started()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Before the drain: long streams (`app.state.stopping`) end instead of holding it."""
        self._on_stopping()
        await super().shutdown(sockets)


class Gateway:
    """Serves the app on `sock` until shutdown(); first stop drains, a second one cuts."""

    def __init__(self, config: GatewayConfig, sock: socket.socket) -> None:
        self.config = config
        self._sock = sock
        host, port = sock.getsockname()[:2]
        self.listen = join_host_port(host, port)
        app = create_app(config)
        settings = uvicorn.Config(
            app,
            lifespan="on",
            # httptools: about 0.1 ms less CPU per request than h11 (pollers: 1,600/s); a kept
            # task read answered by the protocol itself (gateway.keptanswers)
            http=protocol_for(app.state.kept_answers),
            log_config=None,
            timeout_graceful_shutdown=GRACE_SECONDS,
            server_header=False,
            ws_max_size=WS_MAX_MESSAGE,
        )
        self._server = _Uvicorn(settings, self._started, app.state.stopping.set)
        self._ready = asyncio.Event()
        self._done = asyncio.Event()
        self._running = False
        self._task: asyncio.Task[None] | None = None

    def _started(self) -> None:
        if self.config.ready_file:
            write_ready_file(self.config.ready_file, self.listen)
        logger.info(
            "gateway listening on http://%s, master %s (%s)",
            self.listen,
            self.config.master,
            "plaintext" if self.config.tls is None else "TLS",
        )
        self._ready.set()

    async def run(self) -> None:
        """Serve until shutdown() or request_stop(); raises RuntimeError if startup fails."""
        self._running = True
        try:
            await self._server.serve(sockets=[self._sock])
        except SystemExit as exc:  # uvicorn's way of saying the lifespan failed to start
            raise RuntimeError("gateway failed to start") from exc
        finally:
            self._sock.close()
            self._remove_ready_file()
            self._done.set()
            logger.info("gateway stopped")

    def request_stop(self) -> None:
        """Signal-safe: the first call drains open requests, a second one stops at once."""
        if self._server.should_exit:
            logger.warning("gateway stopping now, not waiting for open requests")
            self._server.force_exit = True
        else:
            logger.info("gateway stopping: draining open requests (up to %ds)", GRACE_SECONDS)
        self._server.should_exit = True

    async def shutdown(self) -> None:
        """Stop and return once stopped; idempotent, and fine before run()."""
        self._server.should_exit = True
        if self._running:
            await self._done.wait()

    async def __aenter__(self) -> Gateway:
        self._task = task = asyncio.create_task(self.run())
        ready = asyncio.create_task(self._ready.wait())
        await asyncio.wait([task, ready], return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if task.done():
            await task  # raises what made it stop
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.shutdown()
        if self._task:
            await self._task

    def _remove_ready_file(self) -> None:
        if self.config.ready_file and self._ready.is_set():
            self.config.ready_file.unlink(missing_ok=True)
