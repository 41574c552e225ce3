"""Who the master is told a console action comes from (a task's submitter, a crontab's editor):
the console, and the signed-in token's holder. The token itself is never named."""

from __future__ import annotations

from gateway.callers import CALLER


def actor() -> str:
    caller = CALLER.get()
    if caller is None or caller.admin:
        return "console:admin"
    return f"console:token-{caller.token_id}"
