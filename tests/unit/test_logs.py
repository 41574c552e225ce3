"""jobfleet.logs: a record is one line whatever it quotes; tracebacks stay readable below it."""

from __future__ import annotations

import io
import logging
import logging.config
from collections.abc import Callable
from typing import Any

import pytest

from gateway.cli import default_log_config as gateway_config
from jobfleet.logs import EscapingFormatter, printable, skip_caller_lookup
from master.log_config import default_log_config as master_config
from slave.logs import default_log_config as slave_config

FORGED = "deploy\n2031-01-01 00:00:00,000 ERROR master.engine: forged\x1b[31m red\u2028x"


def logged(record_it: Callable[[logging.Logger], object]) -> str:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(EscapingFormatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("test.logs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        record_it(logger)
    finally:
        logger.removeHandler(handler)
    return out.getvalue()


def test_a_forged_name_stays_on_its_own_line_escaped() -> None:
    text = logged(lambda log: log.info("task %s submitted", FORGED))

    assert text.count("\n") == 1 and "\x1b" not in text and "\u2028" not in text
    assert text == (
        "INFO test.logs: task deploy\\n2031-01-01 00:00:00,000 ERROR master.engine: "
        "forged\\x1b[31m red\\u2028x submitted\n"
    )


def test_a_traceback_keeps_its_lines_each_indented_and_escaped() -> None:
    def fail(log: logging.Logger) -> None:
        try:
            raise ValueError(FORGED)
        except ValueError:
            log.exception("step failed")

    lines = logged(fail).splitlines()

    assert lines[0] == "ERROR test.logs: step failed"
    assert lines[1] == "  Traceback (most recent call last):"
    assert any(line.startswith('    File "') for line in lines)
    assert lines[-2] == "  ValueError: deploy"  # the exception's own newline: a continuation
    assert lines[-1] == "  2031-01-01 00:00:00,000 ERROR master.engine: forged\\x1b[31m red\\u2028x"
    assert all(line.startswith("  ") for line in lines[1:])


@pytest.mark.parametrize("config", [master_config, slave_config, gateway_config])
def test_every_daemon_logs_through_the_escaping_formatter(
    config: Callable[[bool], dict[str, Any]],
) -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    logging.config.dictConfig(config(False))
    try:
        formatters = {type(h.formatter) for h in root.handlers}
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)

    assert formatters == {EscapingFormatter}
    assert printable("a\nb\tc") == "a\\nb\\tc"


@pytest.mark.parametrize("config", [master_config, slave_config])
def test_skipping_the_caller_lookup_changes_no_daemon_line(
    config: Callable[[bool], dict[str, Any]],
) -> None:
    fmt = config(False)["formatters"]["plain"]["fmt"]
    callers = ("%(funcName)", "%(lineno)", "%(pathname)", "%(filename)", "%(module)")
    assert not any(field in fmt for field in callers)  # nothing the lookup finds is printed

    def line() -> str:
        record = logging.getLogger("test.logs").makeRecord(
            "test.logs", logging.INFO, "(unknown file)", 0, "exec %d ok", (7,), None
        )
        return EscapingFormatter(fmt.replace("%(asctime)s ", "")).format(record)

    before = line()
    saved = logging._srcfile
    try:
        skip_caller_lookup()
        assert logging._srcfile is None
        assert line() == before
    finally:
        logging._srcfile = saved
