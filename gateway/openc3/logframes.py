"""A followed task's output as the text frames of OpenC3's log socket.

OpenC3's pages append each frame to the log with `innerHTML += frame + '<br/>'`, so a frame is
whole lines of one execution, rendered by `loghtml` (escaped, then coloured), its last newline
left to the page's `<br/>`. Executions run side by side and their output interleaves; as in
OpenC3's logs (MYDan's result blocks, `node[count]:` under a rule of `=`), a frame whose
execution is not the previous frame's starts with a rule and the node's name. When an execution
ends, a line says how, green for success, red otherwise.

A line is held until its newline arrives (or its execution ends), so a frame never cuts one in
two -- except a line longer than `frame_chars`, which goes out in pieces rather than being held
without bound. Each execution's bytes are decoded on their own (a character split between two
messages comes out whole, bad bytes as U+FFFD). No frame renders more than `frame_chars`
characters of output, whatever the size of what the master sent.
"""

from __future__ import annotations

import codecs
import html
from dataclasses import dataclass, field

from gateway.openc3.loghtml import to_html

FRAME_CHARS = 32 * 1024
RULE = "=" * 68
GREEN, RED = "#00FF00", "#FF0000"
ESCAPE_ROOM = 64
"""A cut inside a line moves before an ESC this close to the cut, so no escape is cut in two."""


def _decoder() -> codecs.IncrementalDecoder:
    return codecs.getincrementaldecoder("utf-8")("replace")


@dataclass
class _Source:
    """One execution's output not yet framed: undecoded bytes and a line without its newline."""

    node: str
    decoder: codecs.IncrementalDecoder = field(default_factory=_decoder)
    held: str = ""


class LogFrames:
    """Frames from one socket's stream of output and endings (no I/O: the caller sends them)."""

    def __init__(self, frame_chars: int = FRAME_CHARS) -> None:
        self.frame_chars = frame_chars
        self._sources: dict[int, _Source] = {}
        self._last: int | None = None  # the execution the previous frame came from

    def output(self, execution_id: int, node: str, data: bytes) -> list[str]:
        """Frames of the whole lines `data` completes."""
        source = self._sources.setdefault(execution_id, _Source(node))
        text = source.held + source.decoder.decode(data)
        cut = text.rfind("\n") + 1
        if len(text) - cut > self.frame_chars:
            cut = _safe_cut(text)
        source.held = text[cut:]
        return self._frames(execution_id, source.node, text[:cut])

    def ended(self, execution_id: int, node: str, summary: str, ok: bool) -> list[str]:
        """Frames of what the execution left unfinished, then its `summary` line."""
        source = self._sources.pop(execution_id, None)
        rest = source.held + source.decoder.decode(b"", final=True) if source else ""
        frames = self._frames(execution_id, node, rest)
        frames.append(self._headed(execution_id, node, status_line(summary, ok)))
        return frames

    def finish(self) -> list[str]:
        """Frames of every line still held (the stream ends)."""
        frames: list[str] = []
        for execution_id in list(self._sources):
            source = self._sources.pop(execution_id)
            rest = source.held + source.decoder.decode(b"", final=True)
            frames += self._frames(execution_id, source.node, rest)
        return frames

    def _frames(self, execution_id: int, node: str, text: str) -> list[str]:
        return [
            self._headed(execution_id, node, to_html(piece.removesuffix("\n")))
            for piece in _pieces(text, self.frame_chars)
        ]

    def _headed(self, execution_id: int, node: str, body: str) -> str:
        """`body`, after the node's header when the previous frame was another execution's."""
        if execution_id == self._last:
            return body
        self._last = execution_id
        return f"{RULE}<br>{html.escape(node)}:<br>{body}"


def status_line(summary: str, ok: bool) -> str:
    """A line of ours (an execution's or the task's end): escaped, green if `ok`, else red."""
    return f'<font color="{GREEN if ok else RED}">{html.escape(summary)}</font>'


def _pieces(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut after a newline where one is."""
    pieces = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit) + 1 or _safe_cut(text[:limit])
        pieces.append(text[:cut])
        text = text[cut:]
    if text:
        pieces.append(text)
    return pieces


def _safe_cut(text: str) -> int:
    """Where to cut `text` in the middle of a line: its end, or before an escape near it."""
    escape = text.rfind("\x1b", max(0, len(text) - ESCAPE_ROOM))
    return escape if escape > 0 else len(text)
