"""Logging set-up for the master's command line (library code only takes loggers)."""

from __future__ import annotations

from typing import Any

from jobfleet.logs import formatter


def default_log_config(verbose: bool) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"),
        },
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
        },
        "root": {"handlers": ["stderr"], "level": "DEBUG" if verbose else "INFO"},
        "loggers": {"peewee": {"level": "INFO"}, "asyncio": {"level": "WARNING"}},
    }
