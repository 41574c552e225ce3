"""A slow link for tests: a TCP proxy on 127.0.0.1 that moves at most `rate` bytes per second
each way, so a transfer through it lasts long enough for something to happen mid-way."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

BLOCK = 16 << 10


@contextlib.contextmanager
def throttled_proxy(port: int, rate: float) -> Iterator[int]:
    """The port of a proxy to 127.0.0.1:`port` (rate in bytes/s per direction and client)."""
    listener = socket.create_server(("127.0.0.1", 0))
    sockets: list[socket.socket] = [listener]

    def serve() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", port))
            sockets.extend((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(src, dst, rate), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


def _pump(src: socket.socket, dst: socket.socket, rate: float) -> None:
    """Forward src to dst, each block due len/rate s after the previous one was (no credit
    saved up while idle: a direction quiet for a while gets no burst)."""
    due = time.monotonic()
    try:
        while data := src.recv(BLOCK):
            dst.sendall(data)
            now = time.monotonic()
            due = max(due, now) + len(data) / rate
            if due > now:
                time.sleep(due - now)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)
