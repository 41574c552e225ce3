"""Log lines that say only what the daemon wrote: every record is one line, whatever it quotes.

Names, reasons and refusals that reach a log line come from clients (a task name, a node, an
account, a header). A newline in one would start a forged line ("...\\n2031-01-01 ERROR ..."),
an ESC would recolour or rewrite a terminal. So the formatter all three daemons use escapes
control characters (`\\n`, `\\x1b`, ...) in the record's line; a traceback keeps its lines, each
indented and escaped alike, so a continuation never looks like a record of its own.
"""

from __future__ import annotations

import logging
import re

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
INDENT = "  "


def printable(text: str) -> str:
    """`text` with control characters (C0, DEL, C1, Unicode line breaks) escaped."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


def indented(text: str) -> str:
    """A multi-line text (a traceback) as continuation lines: indented, each escaped."""
    return "\n".join(INDENT + printable(line) for line in text.split("\n"))


class EscapingFormatter(logging.Formatter):
    """`logging.Formatter` whose record is one line, tracebacks and stacks indented below it."""

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        line = printable(self.formatMessage(record))
        if record.exc_info:
            line += "\n" + indented(self.formatException(record.exc_info))
        elif record.exc_text:
            line += "\n" + indented(record.exc_text)
        if record.stack_info:
            line += "\n" + indented(self.formatStack(record.stack_info))
        return line


def formatter(fmt: str) -> dict[str, str]:
    """The `formatters` entry of a dictConfig for an escaping formatter of format `fmt`."""
    return {"()": f"{__name__}.EscapingFormatter", "fmt": fmt}


def skip_caller_lookup() -> None:
    """Log records without the caller's file, line and function: no format of ours prints
    them, and finding them (Logger.findCaller walks the stack) is a fourth of a log line's
    cost, which a master pays per execution and a slave per run (10 of 38 us measured; the
    logging HOWTO's "Optimization" section names this switch)."""
    logging._srcfile = None
