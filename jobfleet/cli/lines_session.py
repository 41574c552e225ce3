"""LINES mode of `jobfleet shell`: a prompt; each line typed runs on every machine, and each
machine's answer is shown, prefixed with its name, as it arrives, then a summary line.

Ctrl-C while a line runs sends `interrupt` (every machine stops it); at the prompt it ends the
session, like `exit`, `quit` or end of input. Frames are read by a thread of their own into a
queue; if the master ends the session while the prompt waits, that thread interrupts the prompt.
"""

from __future__ import annotations

import queue
import signal
import sys
import threading

import grpc

from jobfleet.cli import shell_view
from jobfleet.cli.terminal_stream import TerminalStream
from jobfleet.v1 import terminal_pb2

LEAVE_WORDS = ("exit", "quit")
POLL_SECONDS = 0.2


class _Events(threading.Thread):
    """The session's frames, in order, into `frames`; `None` marks the end of the call."""

    def __init__(self, stream: TerminalStream) -> None:
        super().__init__(daemon=True, name="terminal-frames")
        self.stream = stream
        self.frames: queue.Queue[terminal_pb2.TerminalServerFrame | None] = queue.Queue()
        self.closed: terminal_pb2.TerminalClosed | None = None
        self.error = ""
        self.ended = False
        self.at_prompt = False

    def run(self) -> None:
        try:
            for frame in self.stream.frames():
                if frame.WhichOneof("body") == "closed":
                    self.closed = frame.closed
                self.frames.put(frame)
        except grpc.RpcError as exc:
            self.error = f"{exc.code().name}: {exc.details()}"
        finally:
            self.ended = True
            self.frames.put(None)
            if self.at_prompt:  # wake the prompt: the session is over
                signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)


def _read_line(text: str, events: _Events) -> str | None:
    """The next line typed; None when the session should end (exit, quit, EOF, Ctrl-C)."""
    events.at_prompt = True
    try:
        if events.ended:
            return None
        line = input(text)
    except (EOFError, KeyboardInterrupt):
        print()
        return None
    finally:
        events.at_prompt = False
    return None if line.strip() in LEAVE_WORDS else line


def _show(lines: list[str]) -> None:
    for line in lines:
        print(line, flush=True)


def _follow_line(stream: TerminalStream, events: _Events, view: shell_view.LineView) -> bool:
    """Show the answers to the line just sent until its summary; False if the session ended."""
    while True:
        try:  # Ctrl-C may come at any point of the loop, while waiting or while printing
            frame = events.frames.get(timeout=POLL_SECONDS)
            if frame is None or frame.WhichOneof("body") == "closed":
                return False
            if _shown(frame, view):
                return True
        except queue.Empty:
            continue
        except KeyboardInterrupt:
            print("^C: interrupting the line on every machine", file=sys.stderr, flush=True)
            stream.interrupt()


def _shown(frame: terminal_pb2.TerminalServerFrame, view: shell_view.LineView) -> bool:
    """Show one frame; True when it was the line's summary."""
    kind = frame.WhichOneof("body")
    if kind == "line_output":
        out = frame.line_output
        _show(view.output(out.node, out.data, out.stderr))
    elif kind == "line_finished":
        done = frame.line_finished
        _show(view.finish(shell_view.Finished(done.node, done.exit_code, done.status, done.reason)))
    elif kind == "line_summary":
        total = frame.line_summary
        _show([view.summary(total.succeeded, total.failed, total.seconds)])
        return True
    return False


def _enable_line_editing() -> None:
    """readline's editing and history for input(), when a person types."""
    if sys.stdin.isatty():
        import readline  # noqa: F401  (importing it is what turns it on)


def run_lines(stream: TerminalStream) -> int:
    """The prompt loop; 0 when the user ended the session, 1 when the master did."""
    events = _Events(stream)
    events.start()
    _enable_line_editing()
    text = shell_view.prompt(stream.opened.user, len(stream.opened.nodes))
    colour = sys.stdout.isatty()
    try:
        while (line := _read_line(text, events)) is not None:
            if not line.strip():
                continue
            stream.send_line(line)
            if not _follow_line(stream, events, shell_view.LineView(colour=colour)):
                break
    finally:
        stream.close()
    return _outcome(events)


def _outcome(events: _Events) -> int:
    if events.closed is not None and events.closed.reason:
        print(shell_view.closed_message(events.closed.reason), file=sys.stderr)
        return 1
    if events.error and "CANCELLED" not in events.error:
        print(f"jobfleet shell: {events.error}", file=sys.stderr)
        return 1
    return 0
