"""SHELL mode of `jobfleet shell`: the local terminal becomes the remote pty's.

The local terminal is put in raw mode (keys such as Ctrl-C go to the remote shell as bytes) and
restored on every way out: the shell exiting, an error, an exception, SIGTERM/SIGHUP. Keystrokes
are sent as they are read, output is written as it comes (a thread of its own), a local resize
(SIGWINCH) is sent as `resize`. Standard input need not be a terminal: piped bytes are sent the
same way, and their end is sent as one Ctrl-D (end of input at the remote shell's prompt).
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import termios
import threading
import tty
from collections.abc import Iterator
from types import FrameType

import grpc

from jobfleet.cli import shell_view
from jobfleet.cli.terminal_stream import TerminalStream
from jobfleet.v1 import terminal_pb2

EOT = b"\x04"
READ_SIZE = 4096


def local_size(fd: int) -> tuple[int, int]:
    """(cols, rows) of the terminal on `fd`; (0, 0) when it is none (the master's default)."""
    try:
        size = os.get_terminal_size(fd)
    except OSError:
        return 0, 0
    return size.columns, size.lines


@contextlib.contextmanager
def raw_mode(fd: int) -> Iterator[None]:
    """The terminal on `fd` in raw mode, restored afterwards (nothing when it is no terminal)."""
    if not os.isatty(fd):
        yield
        return
    saved = termios.tcgetattr(fd)
    tty.setraw(fd)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


class _Hangup(Exception):
    """SIGTERM or SIGHUP arrived: leave (the terminal is restored on the way out)."""


@contextlib.contextmanager
def signals(stream: TerminalStream, fd: int) -> Iterator[None]:
    """SIGWINCH sends the new size; SIGTERM/SIGHUP end the session; old handlers restored."""

    def resized(signum: int, frame: FrameType | None) -> None:
        cols, rows = local_size(fd)
        if cols and rows:
            stream.resize(cols, rows)

    def hung_up(signum: int, frame: FrameType | None) -> None:
        raise _Hangup(signal.Signals(signum).name)

    wanted = {signal.SIGWINCH: resized, signal.SIGTERM: hung_up, signal.SIGHUP: hung_up}
    saved = {signum: signal.signal(signum, handler) for signum, handler in wanted.items()}
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


class _Output(threading.Thread):
    """Writes the session's output to stdout as it comes; keeps the `closed` frame or the
    error that ended the call; wakes the keyboard loop through `wake` when done."""

    def __init__(self, stream: TerminalStream, out_fd: int, wake: int) -> None:
        super().__init__(daemon=True, name="terminal-output")
        self.stream, self.out_fd, self.wake = stream, out_fd, wake
        self.closed: terminal_pb2.TerminalClosed | None = None
        self.error = ""

    def run(self) -> None:
        try:
            for frame in self.stream.frames():
                kind = frame.WhichOneof("body")
                if kind == "output":
                    _write_all(self.out_fd, frame.output)
                elif kind == "closed":
                    self.closed = frame.closed
                    break
        except grpc.RpcError as exc:
            self.error = f"{exc.code().name}: {exc.details()}"
        except OSError as exc:  # stdout went away
            self.error = str(exc)
        finally:
            with contextlib.suppress(OSError):  # the keyboard side may have gone already
                os.write(self.wake, b"x")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _pump_keys(stream: TerminalStream, in_fd: int, wake: int) -> None:
    """Send what is read from `in_fd` until `wake` is readable (the output side ended)."""
    watched = [in_fd, wake]
    while True:
        readable, _, _ = select.select(watched, [], [])
        if wake in readable:
            return
        data = os.read(in_fd, READ_SIZE)
        if data:
            stream.send_input(data)
            continue
        watched.remove(in_fd)  # end of input: tell the shell once, then wait for its end
        if not os.isatty(in_fd):
            stream.send_input(EOT)


def run_shell(stream: TerminalStream) -> int:
    """Relay until the session closes; the remote shell's exit code (255 if it did not exit)."""
    in_fd, out_fd = sys.stdin.fileno(), sys.stdout.fileno()
    sys.stdout.flush()
    wake_read, wake_write = os.pipe()
    output = _Output(stream, out_fd, wake_write)
    left: int | None = None
    try:
        with signals(stream, in_fd), raw_mode(in_fd):
            output.start()
            _pump_keys(stream, in_fd, wake_read)
    except (_Hangup, KeyboardInterrupt) as exc:
        print(f"jobfleet shell: {exc or 'interrupted'}", file=sys.stderr)
        left = shell_view.NOT_EXITED
    finally:
        stream.close()
        if output.ident is not None:
            output.join(timeout=5)
        os.close(wake_read)
        os.close(wake_write)
    return left if left is not None else _outcome(output)


def _outcome(output: _Output) -> int:
    """Report how the session ended; the exit status."""
    if output.closed is None:
        why = output.error or "the master ended the session without closing it"
        print(f"jobfleet shell: {why}", file=sys.stderr)
        return shell_view.NOT_EXITED
    message = shell_view.closed_message(output.closed.reason)
    if message:
        print(message, file=sys.stderr)
    return shell_view.exit_status(output.closed.exit_code)
