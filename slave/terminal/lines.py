"""What a terminal's audit log gets of the input typed: lines, never what the terminal hid.

Pure: the relay feeds it the input as it comes (with the terminal's echo state at that moment)
and the output as it goes; it answers the lines to log. The rules:

- A line is assembled from printable characters; backspace/DEL drops the last one, Ctrl-U the
  whole line, Ctrl-W the last word; Ctrl-C drops the line; Enter (\\r or \\n) ends it; escape
  sequences (arrows, function keys, Alt-keys) and other control characters are dropped.
- Typed while the terminal is canonical with ECHO off (getpass, `read -s`, `stty -echo`, sudo
  and ssh password prompts): the line is `hidden`, its text never kept.
- Typed while the echo state is not known: hidden too (never recorded by default).
- Typed in raw mode (ICANON off: readline, vim): the program echoes by itself, so the line is
  recorded only if its typed characters came back in the output (in order, escape sequences
  aside) within `echo_window` seconds of its end; else hidden (a raw-mode password prompt
  echoes nothing, or stars).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

MAX_LINE = 4096
"""Characters kept of one line; more are dropped (a paste is not an audit line)."""
MAX_ECHO = 64 << 10
"""Output kept to look for a raw-mode line's echo."""
ECHO_WINDOW = 0.5
"""Seconds after a raw-mode line's end for its echo to arrive."""

_ANSI = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")


class Echo(enum.Enum):
    """The terminal's state when input arrives."""

    ON = "on"  # canonical, ECHO on: the terminal shows what is typed
    HIDDEN = "hidden"  # canonical, ECHO off: a password prompt
    RAW = "raw"  # ICANON off: the program reads keys and echoes by itself (or not)
    UNKNOWN = "unknown"


def echo_of(lflag: int, icanon: int, echo: int) -> Echo:
    """The state a termios `c_lflag` says (the flags passed in: termios.ICANON, termios.ECHO)."""
    if not lflag & icanon:
        return Echo.RAW
    return Echo.ON if lflag & echo else Echo.HIDDEN


@dataclass(frozen=True)
class AuditLine:
    text: str  # "" when hidden
    hidden: bool


@dataclass
class _Pending:
    """A raw-mode line waiting for its echo."""

    text: str
    typed: str
    deadline: float


@dataclass
class LineRules:
    """Assembles input into audit lines; see the module docstring."""

    echo_window: float = ECHO_WINDOW
    _chars: list[str] = field(default_factory=list)
    _typed: list[str] = field(default_factory=list)  # every printable typed in raw mode
    _states: set[Echo] = field(default_factory=set)
    _escape: str = ""  # "" / "esc" / "csi" / "ss3" / "osc": inside an escape sequence
    _output: bytearray = field(default_factory=bytearray)
    _pending: list[_Pending] = field(default_factory=list)

    @property
    def line_started(self) -> bool:
        """True while a line is being typed (the echo state for it was already taken)."""
        return bool(self._states)

    def input(self, data: bytes, echo: Echo, now: float) -> list[AuditLine]:
        """Keys typed while the terminal was in state `echo`; the lines they ended."""
        ended: list[AuditLine] = []
        for char in data.decode("utf-8", "replace"):
            if self._in_escape(char):
                continue
            line = self._key(char, echo, now)
            if line is not None:
                ended.append(line)
        return ended + self.due(now)

    def output(self, data: bytes, now: float) -> list[AuditLine]:
        """Output shown; the raw-mode lines whose echo it completes (or whose time is up)."""
        if self._pending or Echo.RAW in self._states:
            self._output += _CONTROL.sub(b"", _ANSI.sub(b"", data))
            del self._output[:-MAX_ECHO]
        return self.due(now)

    def due(self, now: float) -> list[AuditLine]:
        """Raw-mode lines decided by now: echoed (kept), or past their window (hidden)."""
        decided: list[AuditLine] = []
        shown = self._output.decode("utf-8", "replace")
        while self._pending:
            first = self._pending[0]
            if _echoed(first.typed, shown):
                decided.append(AuditLine(first.text, False))
            elif now >= first.deadline:
                decided.append(AuditLine("", True))
            else:
                break
            self._pending.pop(0)
        if not self._pending and Echo.RAW not in self._states:
            self._output.clear()
        return decided

    def next_deadline(self) -> float | None:
        return self._pending[0].deadline if self._pending else None

    def _in_escape(self, char: str) -> bool:
        """Track escape sequences across chunks; True while `char` belongs to one."""
        state = self._escape
        if state == "":
            if char == "\x1b":
                self._escape = "esc"
                return True
            return False
        if state == "esc":
            self._escape = {"[": "csi", "O": "ss3", "]": "osc"}.get(char, "")
        elif state == "csi":
            if "\x40" <= char <= "\x7e":
                self._escape = ""
        elif state == "ss3":
            self._escape = ""
        elif state == "osc" and char in "\x07\x1b":
            self._escape = ""
        return True

    def _key(self, char: str, echo: Echo, now: float) -> AuditLine | None:
        if char in "\r\n":
            return self._end(now)
        if char == "\x03":  # Ctrl-C
            self._reset()
        elif char in "\x08\x7f":
            if self._chars:
                self._chars.pop()
        elif char == "\x15":  # Ctrl-U
            self._chars.clear()
        elif char == "\x17":  # Ctrl-W
            text = "".join(self._chars).rstrip()
            self._chars[:] = list(text[: len(text) - len(text.split(" ")[-1])])
        elif char.isprintable():
            self._states.add(echo)
            if len(self._chars) < MAX_LINE:
                self._chars.append(char)
            if echo is Echo.RAW:
                self._typed.append(char)
        return None

    def _end(self, now: float) -> AuditLine | None:
        text, states, typed = "".join(self._chars), set(self._states), "".join(self._typed)
        self._reset()
        if not states:
            return None  # nothing typed: an empty Enter is no line
        if states & {Echo.HIDDEN, Echo.UNKNOWN}:
            return AuditLine("", True)
        if Echo.RAW in states:
            self._pending.append(_Pending(text, typed, now + self.echo_window))
            return None
        return AuditLine(text, False) if text.strip() else None

    def _reset(self) -> None:
        self._chars.clear()
        self._typed.clear()
        self._states.clear()


def _echoed(typed: str, shown: str) -> bool:
    """Whether every typed character came back, in order (redraws may add more between)."""
    rest = iter(shown)
    return all(char in rest for char in typed)
