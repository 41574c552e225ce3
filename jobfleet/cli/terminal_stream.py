"""One `TerminalService.OpenTerminal` call from a blocking client: frames to send go through a
queue (grpc's request iterator), frames received come from the call's iterator.

Shared by `jobfleet shell` and scripts/bench_terminal.py, so both speak the contract the same
way: the first frame sent is `open`, the first received is `opened`, or the call failed.
"""

from __future__ import annotations

import queue
from collections.abc import Iterator

import grpc

from jobfleet.v1 import terminal_pb2, terminal_pb2_grpc

_END = None


class TerminalRefused(Exception):
    """The master refused the open (or ended the call before `opened`): its code and details."""

    def __init__(self, code: str, details: str) -> None:
        super().__init__(f"{code}: {details}" if code else details)
        self.code = code
        self.details = details


def _frames(outbox: queue.Queue[terminal_pb2.TerminalClientFrame | None]) -> Iterator[object]:
    while (frame := outbox.get()) is not _END:
        yield frame


class TerminalStream:
    """An open terminal session: `opened` holds what the master resolved (nodes, account)."""

    def __init__(self, channel: grpc.Channel, spec: terminal_pb2.TerminalOpen) -> None:
        self._outbox: queue.Queue[terminal_pb2.TerminalClientFrame | None] = queue.Queue()
        self._outbox.put(terminal_pb2.TerminalClientFrame(open=spec))
        stub = terminal_pb2_grpc.TerminalServiceStub(channel)
        self._call = stub.OpenTerminal(_frames(self._outbox))
        self.opened = self._first()

    def _first(self) -> terminal_pb2.TerminalOpened:
        try:
            frame = next(self._call)
        except grpc.RpcError as exc:
            self.close()
            raise TerminalRefused(exc.code().name, exc.details() or "") from None
        except StopIteration:
            self.close()
            raise TerminalRefused("", "the master ended the call before opening") from None
        if frame.WhichOneof("body") != "opened":
            self.close()
            raise TerminalRefused("", f"first frame was {frame.WhichOneof('body')}, not opened")
        opened: terminal_pb2.TerminalOpened = frame.opened
        return opened

    def frames(self) -> Iterator[terminal_pb2.TerminalServerFrame]:
        """The frames after `opened`, up to `closed` or the call's end (grpc.RpcError if it
        failed; a call cancelled by `close` just ends)."""
        try:
            yield from self._call
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.CANCELLED:
                raise

    def send_input(self, data: bytes) -> None:
        self._outbox.put(terminal_pb2.TerminalClientFrame(input=data))

    def resize(self, cols: int, rows: int) -> None:
        size = terminal_pb2.TerminalSize(cols=cols, rows=rows)
        self._outbox.put(terminal_pb2.TerminalClientFrame(resize=size))

    def send_line(self, text: str) -> None:
        self._outbox.put(terminal_pb2.TerminalClientFrame(line=text))

    def interrupt(self) -> None:
        self._outbox.put(terminal_pb2.TerminalClientFrame(interrupt=True))

    def close(self) -> None:
        """End the call (the contract: the remote processes end with it). Idempotent."""
        self._outbox.put(_END)
        self._call.cancel()
