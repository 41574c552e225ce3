"""A task followed live (`run`, `tail`, `submit --follow`): each node's output prefixed with the
node (what a command wrote to its stderr goes to ours, in red on a terminal, so `2>/dev/null`
and `2>&1` mean what they say), a progress line on a terminal's stderr, or JSON lines for
programs.

The progress line is redrawn in place (`\\r`) and erased before any other line is printed, so
output lines never land inside it; it is drawn only when stderr is a terminal.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Protocol, TextIO

import grpc

from jobfleet.cli.client import replies
from jobfleet.cli.progress import Progress
from jobfleet.cli.render import EXEC_WORD, RESET, as_json, colour_on, node_prefix
from jobfleet.v1 import common_pb2, task_pb2, task_pb2_grpc

ERASE = "\r\x1b[K"
RED = "\x1b[31m"
REDRAW_SECONDS = 0.5


class View(Protocol):
    def output(self, out: task_pb2.LogData) -> None: ...
    def execution(self, execution: common_pb2.Execution) -> None: ...
    def close(self) -> None: ...


class TextView:
    """Prefixed lines on `out`; with a `progress`, its line on `err` (a terminal), kept current
    by a timer so the elapsed time moves while nothing arrives."""

    def __init__(self, out: TextIO, err: TextIO, progress: Progress | None = None) -> None:
        self._out = out
        self._err = err
        self._colour = colour_on(out)
        self._err_colour = colour_on(err)
        self._partial: dict[tuple[int, bool], str] = {}
        self._progress = progress
        self._started = time.monotonic()
        self._lock = threading.Lock()
        self._shown = False
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None
        if progress is not None:
            self._timer = threading.Thread(target=self._tick, daemon=True)
            self._timer.start()

    def output(self, out: task_pb2.LogData) -> None:
        key = (out.execution_id, out.stderr)
        text = self._partial.pop(key, "") + out.data.decode("utf-8", "replace")
        *lines, rest = text.split("\n")
        if rest:
            self._partial[key] = rest
        self._print(out.node, lines, out.stderr)

    def execution(self, execution: common_pb2.Execution) -> None:
        if self._progress is not None:
            self._progress.seen(execution)
        if execution.status in (
            common_pb2.EXECUTION_STATUS_PENDING,
            common_pb2.EXECUTION_STATUS_RUNNING,
            common_pb2.EXECUTION_STATUS_QUEUED,
        ):
            self._draw()
            return
        for err in (False, True):
            rest = self._partial.pop((execution.id, err), "")
            if rest:
                self._print(execution.node, [rest], err)
        code = f"exit code {execution.exit_code}"
        said = execution.reason
        reason = f" ({said})" if said and said != code else ""
        self._print(execution.node, [f"-- {EXEC_WORD[execution.status]}, {code}{reason}"])

    def close(self) -> None:
        self._stop.set()
        if self._timer is not None:
            self._timer.join()
        with self._lock:
            self._erase()

    def _print(self, node: str, lines: list[str], stderr: bool = False) -> None:
        """`lines` of `node`, on our stdout, or on our stderr when the command wrote them there."""
        if not lines:
            return
        out, colour = (self._err, self._err_colour) if stderr else (self._out, self._colour)
        prefix = node_prefix(node, colour)
        red, reset = (RED, RESET) if stderr and colour else ("", "")
        with self._lock:
            self._erase()
            if stderr:
                self._out.flush()  # what came before it on stdout stays before it
            for line in lines:
                print(f"{prefix} {red}{line}{reset}", file=out)
            out.flush()
            self._show()

    def _draw(self) -> None:
        with self._lock:
            self._show()

    def _tick(self) -> None:
        while not self._stop.wait(REDRAW_SECONDS):
            self._draw()

    def _show(self) -> None:
        if self._progress is None:
            return
        self._err.write(ERASE + self._progress.line(time.monotonic() - self._started))
        self._err.flush()
        self._shown = True

    def _erase(self) -> None:
        if self._shown:
            self._err.write(ERASE)
            self._err.flush()
            self._shown = False


class JsonLinesView:
    """One JSON object a line: {"node", "stream", "line"} for output, {"execution": ...} when
    one ends; the caller prints {"task": ...} last."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._partial: dict[tuple[int, bool], str] = {}

    def output(self, out: task_pb2.LogData) -> None:
        key = (out.execution_id, out.stderr)
        text = self._partial.pop(key, "") + out.data.decode("utf-8", "replace")
        *lines, rest = text.split("\n")
        if rest:
            self._partial[key] = rest
        for line in lines:
            self._emit(out.node, out.stderr, line)

    def execution(self, execution: common_pb2.Execution) -> None:
        if execution.status in (
            common_pb2.EXECUTION_STATUS_PENDING,
            common_pb2.EXECUTION_STATUS_RUNNING,
            common_pb2.EXECUTION_STATUS_QUEUED,
        ):
            return
        for err in (False, True):
            rest = self._partial.pop((execution.id, err), "")
            if rest:
                self._emit(execution.node, err, rest)
        print(json.dumps({"execution": as_json(execution)}), file=self._out, flush=True)

    def close(self) -> None:
        pass

    def _emit(self, node: str, stderr: bool, line: str) -> None:
        record = {"node": node, "stream": "stderr" if stderr else "stdout", "line": line}
        print(json.dumps(record), file=self._out, flush=True)


def follow_task(channel: grpc.Channel, uuid: str, project: int, view: View) -> common_pb2.Task:
    """Hand each reply of FollowTask to `view` until the task ends; the final task."""
    stub = task_pb2_grpc.TaskServiceStub(channel)
    final = common_pb2.Task()
    try:
        for msg in replies(stub, task_pb2.FollowTaskRequest(project_id=project, uuid=uuid)):
            kind = msg.WhichOneof("body")
            if kind == "output":
                view.output(msg.output)
            elif kind == "execution":
                view.execution(msg.execution)
            elif kind == "task":
                final = msg.task
    finally:
        view.close()
    return final
