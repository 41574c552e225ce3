"""What `jobfleet shell` shows, as pure functions of plain values (no I/O, no grpc): the line
mode prompt, each machine's answer prefixed with its name, the per-line summary, the closing
message and the exit status. Colours only when asked (the caller asks when stdout is a tty)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

GREEN = "\033[32m"
RED = "\033[31m"
RESET = "\033[0m"
NOT_EXITED = 255
"""The exit status when the remote shell did not exit by itself (as ssh does)."""
NAMES_SHOWN = 5
"""Machines named per exit code in the summary; past that, a count."""


def paint(text: str, ok: bool, colour: bool) -> str:
    """`text` in green (ok) or red, when colour is on."""
    return f"{GREEN if ok else RED}{text}{RESET}" if colour else text


def prompt(account: str, machines: int) -> str:
    """The line mode prompt: who the lines run as and on how many machines."""
    return f"{account} ({machines})sh# "


def exit_status(exit_code: int) -> int:
    """The local exit status for the remote shell's exit code (-1: it did not exit)."""
    return exit_code & 0xFF if exit_code >= 0 else NOT_EXITED


def closed_message(reason: str) -> str | None:
    """The stderr line when the session ended for a reason other than the shell exiting."""
    return f"jobfleet shell: session closed: {reason}" if reason else None


@dataclass(frozen=True)
class Finished:
    """One machine done with the running line."""

    node: str
    exit_code: int
    status: str
    reason: str = ""


@dataclass
class LineView:
    """The answers to one line: complete lines of each machine's output, prefixed with its
    name, as they arrive; a machine's unfinished last line is shown when it finishes."""

    colour: bool = False
    partial: dict[tuple[str, bool], str] = field(default_factory=dict)
    finished: list[Finished] = field(default_factory=list)

    def output(self, node: str, data: bytes, stderr: bool = False) -> list[str]:
        text = self.partial.pop((node, stderr), "") + data.decode("utf-8", "replace")
        *lines, rest = text.split("\n")
        if rest:
            self.partial[(node, stderr)] = rest
        return [self._prefixed(node, line) for line in lines]

    def finish(self, done: Finished) -> list[str]:
        self.finished.append(done)
        rests = [self.partial.pop((done.node, err), "") for err in (False, True)]
        shown = [self._prefixed(done.node, rest) for rest in rests if rest]
        ok = done.status == "success"
        reason = f" ({done.reason})" if done.reason else ""
        verdict = paint(f"{done.status}, exit {done.exit_code}{reason}", ok, self.colour)
        return [*shown, f"{self._name(done.node)} -- {verdict}"]

    def _name(self, node: str) -> str:
        return f"[{node}]"

    def _prefixed(self, node: str, line: str) -> str:
        return f"{self._name(node)} {line.removesuffix(chr(13))}"

    def summary(self, succeeded: int, failed: int, seconds: float) -> str:
        """One line: per status, how many machines with which exit codes; then the time."""
        parts = [_status_part(status, group) for status, group in _by_status(self.finished)]
        counts = f"{succeeded} ok, {failed} failed"
        text = f"== {counts}: {'; '.join(parts) or 'no machine answered'} in {seconds:.2f} s"
        return paint(text, failed == 0, self.colour)


def _by_status(finished: list[Finished]) -> list[tuple[str, list[Finished]]]:
    """Machines grouped by status, success first, then in order of first appearance."""
    groups: dict[str, list[Finished]] = defaultdict(list)
    for done in finished:
        groups[done.status].append(done)
    return sorted(groups.items(), key=lambda item: item[0] != "success")


def _status_part(status: str, group: list[Finished]) -> str:
    """`success 2 (exit 0)` or `fail 3 (exit 1: a, b; exit 2: c)`: failures name machines."""
    codes = Counter(done.exit_code for done in group)
    if status == "success":
        return f"{status} {len(group)} (exit {', '.join(str(c) for c in sorted(codes))})"
    named = []
    for code in sorted(codes):
        nodes = sorted(done.node for done in group if done.exit_code == code)
        more = len(nodes) - NAMES_SHOWN
        names = ", ".join(nodes[:NAMES_SHOWN]) + (f" +{more} more" if more > 0 else "")
        named.append(f"exit {code}: {names}")
    return f"{status} {len(group)} ({'; '.join(named)})"
