"""Execution accounts' secrets as stored: what the master checks its key against at start."""

from __future__ import annotations

from collections.abc import Callable

from master.db.models import Account
from master.secrets import TAG


def sealed_secrets() -> tuple[int, str]:
    """How many accounts hold a sealed secret, and one such value (to try the key on)."""
    exists: Callable[[], bool] = Account.table_exists
    if not exists():  # a database no migration has touched yet
        return 0, ""
    sealed = Account.private_key.startswith(TAG) | Account.password.startswith(TAG)
    count = Account.select().where(sealed).count()
    row: Account | None = Account.select().where(sealed).order_by(Account.id).first()
    if row is None:
        return count, ""
    return count, row.private_key if row.private_key.startswith(TAG) else row.password
