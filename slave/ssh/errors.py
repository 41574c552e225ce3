"""The one exception SSH steps raise; its text is the execution's reason."""

from __future__ import annotations

from slave.messages import SshTarget


class SshError(Exception):
    """`ssh web3 (10.0.0.3:22): connection refused`. Never carries a secret."""

    def __init__(self, target: SshTarget, cause: str, *, transient: bool = False) -> None:
        super().__init__(f"{target.label}: {cause}")
        self.cause = cause
        self.transient = transient
        """True when trying again soon may work (a reset, a busy server); connects retry it."""
