"""Logging set-up for the slave's entry point (library modules only ever call getLogger)."""

from __future__ import annotations

from typing import Any

from jobfleet.logs import formatter


def default_log_config(verbose: bool = False) -> dict[str, Any]:
    """dictConfig for stderr: INFO for the slave (DEBUG with -v), WARNING for libraries."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"),
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {"slave": {"level": "DEBUG" if verbose else "INFO"}},
        "root": {"level": "WARNING", "handlers": ["stderr"]},
    }
