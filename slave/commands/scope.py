"""What a slave takes on: the accounts its local work may run as, and the projects it serves.

An order outside them is refused before anything starts, with a reason that names the slave,
what was asked and what it allows. A slave never runs work as root unless root is listed.
"""

from __future__ import annotations

import logging
import os
import pwd
import shutil
from dataclasses import dataclass, field

from slave.commands.runas import SAFE_PATH, current_user
from slave.messages import FetchRequest, PlaceRequest, Request, RunRequest, TerminalRequest

logger = logging.getLogger(__name__)


def default_accounts(listed: tuple[str, ...] = ()) -> tuple[str, ...]:
    """`--run-as` as given; else the slave's own account, or `nobody` when it is root."""
    if listed:
        return listed
    return ("nobody",) if os.geteuid() == 0 else (current_user().name,)


@dataclass(frozen=True)
class Scope:
    accounts: tuple[str, ...] = field(default_factory=default_accounts)
    """Accounts local commands and copies may run as; the first is the default."""
    projects: tuple[int, ...] = ()
    """Projects served; empty = every project."""

    @property
    def default_account(self) -> str:
        return self.accounts[0]

    def account_for(self, wanted: str) -> str:
        """The account an order runs as: the one it names, or the default."""
        return wanted or self.default_account

    def refusal(self, request: Request | TerminalRequest, slave: str) -> str:
        """Why this slave must not take the order ("" when it may)."""
        if not isinstance(request, RunRequest | FetchRequest | PlaceRequest | TerminalRequest):
            return ""
        if self.projects and request.project_id not in self.projects:
            served = ", ".join(map(str, self.projects))
            return f"slave {slave} does not serve project {request.project_id} (it serves {served})"
        account = self.account_for(request.user)
        if request.ssh is None and account not in self.accounts:
            allowed = ", ".join(self.accounts)
            return f"slave {slave} does not run work as {account} (it runs as {allowed} only)"
        return ""

    def describe(self) -> str:
        """For the start-up log line: `runs work as nobody (default), deploy; serves all`."""
        accounts = ", ".join([f"{self.default_account} (default)", *self.accounts[1:]])
        projects = ", ".join(map(str, self.projects)) or "every project"
        return f"runs work as {accounts}; serves {projects}"

    def problems(self) -> list[str]:
        """Why the slave cannot run as its accounts at all (start-up refuses); unknown
        accounts are only logged: one may be created later."""
        me = current_user().name
        others = [name for name in self.accounts if name != me]
        if not others:
            return []
        if os.geteuid() != 0:
            return [f"--run-as: the slave runs as {me} without root: it cannot run as {others[0]}"]
        if shutil.which("setpriv", path=SAFE_PATH) is None:
            return [f"--run-as: running work as {others[0]} needs setpriv (util-linux): missing"]
        for name in others:
            try:
                pwd.getpwnam(name)
            except KeyError:
                logger.warning("--run-as: no account %s here (yet); its orders will fail", name)
        return []
