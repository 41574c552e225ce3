#!/usr/bin/env python3
"""Interactive terminals through the whole system, with real processes on loopback: a private
sshd on 127.0.0.1 (scripts/sshd), a master, one slave (`bench`, running as the sshd's login
account) and the gateway (to add the SSH machines and their account):

(a) keystroke echo in a shell (TerminalService.OpenTerminal, SHELL mode): one byte sent as
    `input` until it comes back in `output` (the remote terminal's echo), --keys round trips
    (200) after 20 that warm up, each followed by an untimed erase (DEL) so the line stays
    short; on the agent node (the slave's own machine) and on an SSH node (the sshd); and the
    same as a browser types: through the gateway's WebSocket (the page's ticket, the socket's
    binary frames), on the agent node;
(b) line mode fan-out (LINES mode) on --nodes SSH machines (100: distinct nodelist names, the
    same sshd): from sending `line` until `LineSummary`, for `true` and for `hostname`
    (3 times each, after one that warms up).

Every wait has a deadline; a refusal of the master (or a line failing anywhere) stops the run
with the master's reason. Public entry points only: the daemons' CLIs, the gateway's REST
routes, the master's gRPC API through jobfleet.cli (benchfleet.py).
Usage: .venv/bin/python scripts/bench_terminal.py [--keys 200] [--nodes 100] [--repeat N]
"""

from __future__ import annotations

import argparse
import html
import json
import queue
import re
import shutil
import sys
import threading
import time
import urllib.request
from pathlib import Path

import benchlib
import grpc
from benchfleet import Fleet, Sshd, rest, sshd, work_dir
from websockets.sync.client import ClientConnection, connect

from jobfleet.cli.auth import token_channel
from jobfleet.cli.terminal_stream import TerminalRefused, TerminalStream
from jobfleet.v1 import terminal_pb2

WARM_UP = 20
WAIT = 30.0  # seconds any one answer may take
SETTLED = 0.5  # seconds of quiet after which the shell's prompt is taken as shown
LINE_WAIT = 600.0  # seconds one line on every machine may take
LINES = ("true", "hostname")  # what (b) runs on every machine


def open_terminal(
    channel: grpc.Channel, what: str, nodes: list[str], user: str, lines: bool = False
) -> TerminalStream:
    """An open session, or SystemExit with the master's reason."""
    mode = terminal_pb2.TERMINAL_MODE_LINES if lines else terminal_pb2.TERMINAL_MODE_SHELL
    spec = terminal_pb2.TerminalOpen(
        project_id=1,
        nodes=nodes,
        user=user,
        mode=mode,
        size=terminal_pb2.TerminalSize(cols=200, rows=50),
        term="xterm",
        actor="bench",
    )
    try:
        return TerminalStream(channel, spec)
    except TerminalRefused as exc:
        why = f"bench_terminal: the master refused a terminal on {what}: {exc}"
        raise SystemExit(why) from None


class Frames(threading.Thread):
    """A session's frames after `opened`, into a queue (None: the call ended)."""

    def __init__(self, stream: TerminalStream) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.queue: queue.Queue[terminal_pb2.TerminalServerFrame | None] = queue.Queue()
        self.error = ""

    def run(self) -> None:
        try:
            for frame in self.stream.frames():
                self.queue.put(frame)
        except grpc.RpcError as exc:
            self.error = f"{exc.code().name}: {exc.details()}"
        finally:
            self.queue.put(None)

    def next(self, timeout: float, what: str) -> terminal_pb2.TerminalServerFrame:
        """The next frame; SystemExit if none came in time or the session ended."""
        try:
            frame = self.queue.get(timeout=timeout)
        except queue.Empty:
            raise SystemExit(f"bench_terminal: no answer within {timeout:g} s ({what})") from None
        if frame is None or frame.WhichOneof("body") == "closed":
            why = self.error or (frame.closed.reason if frame is not None else "")
            raise SystemExit(f"bench_terminal: the session ended ({what}): {why or 'closed'}")
        return frame


def output_until(frames: Frames, wanted: bytes, what: str) -> None:
    """Read output until `wanted` shows up in a chunk (b"": any output)."""
    while True:
        frame = frames.next(WAIT, what)
        if frame.WhichOneof("body") == "output" and wanted in frame.output:
            return


def settle(frames: Frames) -> None:
    """Wait for the shell's first output, then until it has been quiet for SETTLED s."""
    output_until(frames, b"", "the shell's prompt")
    while True:
        try:
            frame = frames.queue.get(timeout=SETTLED)
        except queue.Empty:
            return
        if frame is None:
            raise SystemExit(f"bench_terminal: the shell ended at once: {frames.error}")


def echo_round_trips(stream: TerminalStream, keys: int) -> list[float]:
    """Milliseconds from sending one byte to seeing its echo, `keys` times after a warm-up."""
    frames = Frames(stream)
    frames.start()
    settle(frames)
    took = []
    for i in range(WARM_UP + keys):
        began = time.perf_counter()
        stream.send_input(b"x")
        output_until(frames, b"x", f"the echo of key {i}")
        took.append((time.perf_counter() - began) * 1000)
        stream.send_input(b"\x7f")  # erase it again, untimed
        output_until(frames, b"", f"the erase of key {i}")
    return took[WARM_UP:]


def echo(channel: grpc.Channel, node: str, user: str, keys: int) -> list[float]:
    stream = open_terminal(channel, node, [node], user)
    try:
        return echo_round_trips(stream, keys)
    finally:
        stream.close()


def page_ticket(gateway: str, node: str, user: str) -> str:
    """The single-use ticket in the terminal page a browser gets for a shell on `node`."""
    url = f"http://{gateway}/cmd/1?node={node}&bash=1&sudo={user}"
    with urllib.request.urlopen(url, timeout=WAIT) as resp:
        text = resp.read().decode()
    found = re.search(r'data-ticket="([^"]*)"', text)
    if not found:
        raise SystemExit(f"bench_terminal: no terminal page for {node}: {text[:300]}")
    return html.unescape(found.group(1))


def socket_until(socket: ClientConnection, wanted: bytes, what: str) -> None:
    """Binary frames until one holds `wanted` (any frame for b""); SystemExit on a close."""
    while True:
        frame = socket.recv(timeout=WAIT)
        if isinstance(frame, str):
            if json.loads(frame).get("type") in ("closed", "error"):
                raise SystemExit(f"bench_terminal: the socket ended waiting for {what}: {frame}")
            continue
        if wanted in frame:
            return


def browser_echo(gateway: str, node: str, user: str, keys: int) -> list[float]:
    """Milliseconds from a key sent on the page's socket to its echo there."""
    ticket = page_ticket(gateway, node, user)
    with connect(f"ws://{gateway}/cmd/1/socket") as socket:
        socket.send(json.dumps({"ticket": ticket, "cols": 200, "rows": 50}))
        socket_until(socket, b"", "the shell's prompt")
        took = []
        for i in range(WARM_UP + keys):
            began = time.perf_counter()
            socket.send(b"x")
            socket_until(socket, b"x", f"the echo of key {i}")
            took.append((time.perf_counter() - began) * 1000)
            socket.send(b"\x7f")
            socket_until(socket, b"", f"the erase of key {i}")
    return took[WARM_UP:]


def one_line(stream: TerminalStream, frames: Frames, text: str) -> float:
    """Seconds from sending `text` until its summary; SystemExit if any machine failed."""
    failures: list[str] = []
    began = time.perf_counter()
    stream.send_line(text)
    while True:
        frame = frames.next(LINE_WAIT, f"line {text!r}")
        kind = frame.WhichOneof("body")
        if kind == "line_finished" and frame.line_finished.status != "success":
            done = frame.line_finished
            failures.append(f"{done.node}: {done.status}, exit {done.exit_code} {done.reason}")
        elif kind == "line_summary":
            took = time.perf_counter() - began
            if failures or frame.line_summary.failed:
                shown = "; ".join(failures[:5])
                raise SystemExit(f"bench_terminal: {text!r} failed on machines: {shown}")
            return took


def fan_out(
    channel: grpc.Channel, names: list[str], user: str, runs: int
) -> dict[str, list[float]]:
    """Seconds per line on every machine, for each line measured."""
    stream = open_terminal(channel, f"{len(names)} SSH machines", names, user, lines=True)
    frames = Frames(stream)
    frames.start()
    try:
        one_line(stream, frames, "true")  # warm-up: every SSH connection made once
        return {text: [one_line(stream, frames, text) for _ in range(runs)] for text in LINES}
    finally:
        stream.close()


def add_ssh_machines(gateway: str, server: Sshd, names: list[str]) -> None:
    key = server.key_file.read_text()
    rest("POST", f"http://{gateway}/userlist/1", {"username": server.user, "private_key": key})
    for name in names:
        node = {"name": name, "inip": "127.0.0.1", "sshport": server.port}
        rest("POST", f"http://{gateway}/nodelist/1", node)


def measure(work: Path, args: argparse.Namespace, out: benchlib.Figures) -> None:
    names = [f"vm{i:03d}" for i in range(args.nodes)]
    keys = benchlib.repeat(args, args.keys, args.keys)
    runs = benchlib.repeat(args, 3, 1)
    with sshd(work / "sshd") as server, Fleet(work) as fleet:
        fleet.start_master(data_dir=work / "master")
        fleet.start_slave("bench", "--run-as", server.user)
        gateway = fleet.start_gateway()
        add_ssh_machines(gateway, server, names)
        with token_channel(fleet.master) as channel:
            agent = echo(channel, "bench", server.user, keys)
            out.add("(a) key echo, shell on the agent node", "ms", agent, f"{keys} keys")
            page = browser_echo(gateway, "bench", server.user, keys)
            out.add("(a) key echo, agent node, via the page's socket", "ms", page, f"{keys} keys")
            far = echo(channel, names[0], server.user, keys)
            out.add("(a) key echo, shell on an SSH node", "ms", far, f"{keys} keys")
            took = fan_out(channel, names, server.user, runs)
        for text, samples in took.items():
            out.add(f"(b) line `{text}` -> summary on {args.nodes} SSH nodes", "s", samples)


def main() -> int:
    p = benchlib.parser(__doc__)
    p.add_argument("--keys", type=int, default=200, help="timed round trips of (a)")
    p.add_argument("--nodes", type=int, default=100, help="SSH machines of (b)")
    args = benchlib.parse(p, {"keys": 20, "nodes": 3})
    out = benchlib.Figures("terminal")
    work = work_dir("terminal")
    try:
        measure(work, args, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out.emit(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
