"""Keep the slave's own secrets from the commands it runs, once its settings are read.

The join token (and an admin token an operator left in the slave's environment) leave
os.environ, so no child is ever started with them. The initial environment block stays in
memory and in /proc/<slave>/environ, and the slave's memory holds its credentials: the slave
makes itself non-dumpable, which gives its /proc entries to root and refuses ptrace, so even a
command running as the slave's own account reads neither.
"""

from __future__ import annotations

import ctypes
import logging
import os
from collections.abc import MutableMapping

logger = logging.getLogger(__name__)

SLAVE_SECRETS = ("JOBFLEET_JOIN_TOKEN", "JOBFLEET_ADMIN_TOKEN")
PR_SET_DUMPABLE = 4


def harden(environ: MutableMapping[str, str] = os.environ) -> None:
    """Drop the secrets from `environ` and make this process non-dumpable."""
    for name in SLAVE_SECRETS:
        environ.pop(name, None)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        reason = os.strerror(ctypes.get_errno())
        logger.warning(
            "cannot make the slave non-dumpable (%s): commands running as its "
            "own account may read its memory",
            reason,
        )
