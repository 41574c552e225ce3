"""Line mode in the browser's terminal: the gateway edits the line (the page sends keystrokes as
to a shell) and renders the master's per-machine answers as terminal text.

Pure: bytes in, actions and bytes out, no I/O. `LineEditor` echoes what is typed, handles
backspace, Ctrl-U, Ctrl-C and Enter, and turns a finished line into `Submit`; while a line runs
only Ctrl-C counts (`Interrupt`). `LineView` writes each machine's output line by line under its
name, its end in green (exit 0) or red, and a summary of the exit codes once all are done. The
machines' output is shown as they sent it (xterm.js renders it; nothing is escaped away).
"""

from __future__ import annotations

import codecs
from collections import defaultdict
from dataclasses import dataclass, field

CTRL_C, CTRL_D, CTRL_U, BACKSPACE, DELETE, ESC = "\x03", "\x04", "\x15", "\x08", "\x7f", "\x1b"
ENDS_SESSION = frozenset({"exit", "quit", "logout"})
MAX_LINE = 4096
"""Characters a line may hold (the master's own cap is its business; this bounds the buffer)."""
MAX_PARTIAL = 64 * 1024
"""Bytes of one machine's unfinished output line kept before it is shown as a line anyway."""
NEWLINE = b"\r\n"
GREEN, RED, CYAN, MAGENTA, DIM, RESET = (
    b"\x1b[32m",
    b"\x1b[31m",
    b"\x1b[36m",
    b"\x1b[35m",
    b"\x1b[2m",
    b"\x1b[0m",
)


@dataclass(frozen=True)
class Echo:
    data: bytes  # to show in the terminal


@dataclass(frozen=True)
class Submit:
    line: str  # run on every machine


@dataclass(frozen=True)
class Interrupt:
    pass


@dataclass(frozen=True)
class Exit:
    pass


Action = Echo | Submit | Interrupt | Exit


def prompt(actor: str, account: str, machines: int) -> str:
    """OpenC3's (MYDan's VSSH) prompt: `<actor>:<account> (<n>)sh# `."""
    return f"{actor}:{account} ({machines})sh# "


@dataclass
class LineEditor:
    """The line being typed, and whether one is running."""

    prompt: str
    line: str = ""
    running: bool = False
    closed: bool = False
    _escape: str = ""
    _decoder: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")(errors="replace")
    )

    def start(self) -> bytes:
        """What the terminal shows first: the prompt."""
        return self.prompt.encode()

    def done(self) -> bytes:
        """The running line has ended everywhere: a fresh prompt."""
        self.running = False
        return self.start()

    def feed(self, data: bytes) -> list[Action]:
        """Keystrokes -> what to show and what to do, in order."""
        actions: list[Action] = []
        for char in self._decoder.decode(data):
            if self.closed:
                break
            action = self._key(char)
            if action is not None:
                actions.append(action)
        return _merged(actions)

    def _key(self, char: str) -> Action | None:
        if self._escape or char == ESC:
            self._escape = _escape_continues(self._escape + char)
            return None
        if self.running:
            return self._while_running(char)
        if char in "\r\n":
            return self._enter()
        if char == CTRL_C:
            self.line = ""
            return Echo(b"^C" + NEWLINE + self.start())
        if char == CTRL_D and not self.line:
            self.closed = True
            return Exit()
        if char in (BACKSPACE, DELETE):
            return self._erase(1)
        if char == CTRL_U:
            return self._erase(len(self.line))
        if char < " " or len(self.line) >= MAX_LINE:
            return Echo(b"\x07") if char >= " " else None
        self.line += char
        return Echo(char.encode())

    def _while_running(self, char: str) -> Action | None:
        """A line runs: Ctrl-C stops it everywhere; anything else is not taken."""
        if char == CTRL_C:
            return Interrupt()
        return None

    def _enter(self) -> Action:
        line, self.line = self.line, ""
        if line.strip() in ENDS_SESSION:
            self.closed = True
            return Exit()
        if not line.strip():
            return Echo(NEWLINE + self.start())
        self.running = True
        return Submit(line)

    def _erase(self, count: int) -> Action | None:
        if not self.line or count <= 0:
            return None
        count = min(count, len(self.line))
        self.line = self.line[:-count]
        return Echo(b"\b \b" * count)


def _escape_continues(sequence: str) -> str:
    """An escape sequence (arrows, function keys) is swallowed whole: "" once it is complete.
    CSI `ESC [ ... final`, SS3 `ESC O x`, else `ESC x`."""
    if len(sequence) < 2:
        return sequence
    if sequence[1] == "[":
        return "" if len(sequence) > 2 and "\x40" <= sequence[-1] <= "\x7e" else sequence
    if sequence[1] == "O":
        return "" if len(sequence) > 2 else sequence
    return ""


def _merged(actions: list[Action]) -> list[Action]:
    """Consecutive echoes as one (one frame for a paste, not one per character)."""
    merged: list[Action] = []
    for action in actions:
        if isinstance(action, Echo) and merged and isinstance(merged[-1], Echo):
            merged[-1] = Echo(merged[-1].data + action.data)
        else:
            merged.append(action)
    return merged


@dataclass
class LineView:
    """The answers to the running line, as terminal text."""

    _partial: dict[tuple[str, bool], bytes] = field(default_factory=dict)
    _exits: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))

    def submitted(self) -> bytes:
        """The line was sent: end the echoed line."""
        return NEWLINE

    def output(self, node: str, data: bytes, stderr: bool = False) -> bytes:
        """A piece of one machine's answer: its complete lines, each under the machine's name;
        an unfinished line waits for its end (at most MAX_PARTIAL bytes)."""
        held = self._partial.pop((node, stderr), b"") + data
        *lines, rest = held.split(b"\n")
        if len(rest) > MAX_PARTIAL:
            lines.append(rest)
            rest = b""
        if rest:
            self._partial[(node, stderr)] = rest
        return b"".join(_prefixed(node, stderr, line) for line in lines)

    def finished(self, node: str, exit_code: int, status: str, reason: str = "") -> bytes:
        """One machine is done: what it left unfinished, then its end, green for exit 0."""
        shown = self._flush(node)
        self._exits[exit_code].append(node)
        ok = exit_code == 0 and status in ("success", "")
        words = f"{node}: {status or 'done'}, exit {exit_code}"
        words += f" ({reason})" if reason else ""
        return shown + _coloured(words, ok)

    def summary(self, task_uuid: str, succeeded: int, failed: int, seconds: float) -> bytes:
        """Every machine is done: who ended with which exit code, and the counts."""
        shown = b"".join(self._flush(node) for node in sorted({n for n, _ in self._partial}))
        for code in sorted(self._exits):
            nodes = sorted(self._exits[code])
            shown += _coloured(f"exit {code} [{len(nodes)}]: {','.join(nodes)}", code == 0)
        counts = f"{succeeded} succeeded, {failed} failed in {seconds:.1f} s"
        counts += f" (task {task_uuid})" if task_uuid else ""
        self._exits.clear()
        return shown + _coloured(counts, failed == 0)

    def _flush(self, node: str) -> bytes:
        shown = b""
        for stderr in (False, True):
            rest = self._partial.pop((node, stderr), b"")
            if rest:
                shown += _prefixed(node, stderr, rest)
        return shown


def _prefixed(node: str, stderr: bool, line: bytes) -> bytes:
    """`node: line` (the name in cyan; `node!` in magenta for stderr)."""
    name = (MAGENTA + node.encode() + b"!") if stderr else (CYAN + node.encode())
    return name + RESET + b": " + line.removesuffix(b"\r") + NEWLINE


def _coloured(text: str, ok: bool) -> bytes:
    return (GREEN if ok else RED) + text.encode() + RESET + NEWLINE
