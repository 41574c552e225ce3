"""Command output as the HTML OpenC3's log pages insert (`innerHTML += frame`): escaped first,
then decorated.

Output is whatever a command printed, so it is hostile: every `&`, `<`, `>` and quote becomes an
entity before anything is added, and the only markup that can come out is what this module
writes itself -- `<font color=...>`, `</font>` and `<br>`. ANSI SGR colour codes become fonts in
OpenC3's colour table (its `replace` in JOB/lib/api/slave.pm: red, green, and red on green, the
colours of MYDan's result blocks), whatever the bold or other attributes around them; colours it
does not show draw nothing. Every other escape sequence (cursor moves, titles, an unterminated
one) and the other control characters are dropped; a newline becomes `<br>`. At most one font is
open at a time and every font opened is closed by the end, so no frame leaves markup open.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

# (foreground, background) -> colour; the background alone is looked up with foreground None.
COLOURS: Mapping[tuple[int, int | None], str] = {
    (31, 42): "#0000FF",
    (31, None): "#FF0000",
    (32, None): "#00FF00",
}
_RESET, _FG_DEFAULT, _BG_DEFAULT = 0, 39, 49
_FG_EXTENDED, _BG_EXTENDED = 38, 48  # 38;5;n and 38;2;r;g;b: colours not in the table
_MAX_DIGITS = 4  # longer numbers are no SGR code (and int() of thousands of digits raises)

_TOKEN = re.compile(
    r"\x1b\[(?P<params>[0-?]*)(?P<inter>[ -/]*)(?P<final>[@-~])?"  # CSI, maybe cut short
    r"|\x1b[\]PX^_][^\x07\x1b\n]*(?:\x07|\x1b\\)?"  # OSC, DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"  # any other escape, or an ESC alone
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # other control characters (all but tab and newline)
)
_SGR_PARAMS = re.compile(r"[0-9;:]*")


@dataclass
class Pen:
    """The SGR colours in force: foreground and background codes (None = the default)."""

    fg: int | None = None
    bg: int | None = None

    def apply(self, params: str) -> None:
        """Take one SGR sequence's parameters (`1;31`, ``, `38;5;196`)."""
        codes = [_code(part) for part in params.replace(":", ";").split(";")]
        index = 0
        while index < len(codes):
            code = codes[index]
            if code in (_FG_EXTENDED, _BG_EXTENDED):
                index += _extended_length(codes, index)
                self.fg, self.bg = (None, self.bg) if code == _FG_EXTENDED else (self.fg, None)
                continue
            self._take(code)
            index += 1

    def _take(self, code: int | None) -> None:
        if code == _RESET:
            self.fg = self.bg = None
        elif code == _FG_DEFAULT:
            self.fg = None
        elif code == _BG_DEFAULT:
            self.bg = None
        elif code is not None and (30 <= code <= 37 or 90 <= code <= 97):
            self.fg = code
        elif code is not None and (40 <= code <= 47 or 100 <= code <= 107):
            self.bg = code

    @property
    def colour(self) -> str | None:
        """The font colour to show, if the table has one for these codes."""
        if self.fg is None:
            return None
        return COLOURS.get((self.fg, self.bg)) or COLOURS.get((self.fg, None))


def _code(part: str) -> int | None:
    """An SGR parameter; empty is 0 (`ESC[m`, `ESC[;31m`); an absurd one is None."""
    if not part:
        return 0
    return int(part) if len(part) <= _MAX_DIGITS else None


def _extended_length(codes: list[int | None], index: int) -> int:
    """How many parameters an extended colour takes: 38;5;n is 3, 38;2;r;g;b is 5."""
    kind = codes[index + 1] if index + 1 < len(codes) else None
    return {5: 3, 2: 5}.get(kind or 0, 1)


def to_html(text: str) -> str:
    """`text` (decoded output) as safe HTML: escaped, coloured, newlines as `<br>`."""
    out: list[str] = []
    pen = Pen()
    shown: str | None = None  # the colour of the open <font>
    start = 0
    for match in _TOKEN.finditer(text):
        if match.start() > start:
            shown = _write(out, text[start : match.start()], pen.colour, shown)
        if _is_sgr(match):
            pen.apply(match.group("params"))
        start = match.end()
    if start < len(text):
        shown = _write(out, text[start:], pen.colour, shown)
    if shown is not None:
        out.append("</font>")
    return "".join(out)


def _is_sgr(match: re.Match[str]) -> bool:
    params = match.group("params")
    return (
        match.group("final") == "m"
        and not match.group("inter")
        and params is not None
        and _SGR_PARAMS.fullmatch(params) is not None
    )


def _write(out: list[str], text: str, wanted: str | None, shown: str | None) -> str | None:
    """Append `text`, escaped, in colour `wanted` (switching fonts if it changed); the colour
    now shown."""
    if wanted != shown:
        if shown is not None:
            out.append("</font>")
        if wanted is not None:
            out.append(f'<font color="{wanted}">')
    out.append(html.escape(text, quote=True).replace("\n", "<br>"))
    return wanted
