"""Start a process and hear of its exit on the event loop through a pidfd: no thread per child.

asyncio's subprocesses (Python 3.11) wait for each child in a thread of its own
(ThreadedChildWatcher) behind a transport and a protocol: a third of the slave's CPU per `true`
run went to starting that thread and building those objects. Here a child is a plain `Popen`
(vfork+exec, as before) and its pidfd is one more descriptor the loop watches; when it becomes
readable the child has exited and `Popen.poll` reaps it (so `subprocess` itself never finds it
unreaped). Where pidfds are missing (Linux < 5.3), one thread waits for it, as asyncio's would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import threading
from collections.abc import Mapping, Sequence


class Process:
    """A started child: `pid`, `returncode` (None while it runs) and `await wait()`, as an
    asyncio subprocess has them."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self._popen = popen
        self._loop = asyncio.get_running_loop()
        self._exited: asyncio.Future[int] = self._loop.create_future()
        self._pidfd = -1
        try:
            self._pidfd = os.pidfd_open(popen.pid)
        except (AttributeError, OSError):  # no pidfds here: a thread waits
            threading.Thread(target=self._wait_in_thread, daemon=True).start()
        else:
            self._loop.add_reader(self._pidfd, self._reap)

    @property
    def pid(self) -> int:
        return self._popen.pid

    @property
    def returncode(self) -> int | None:
        """The exit code, or -signal; None while it runs (or until the loop has seen it end)."""
        return self._popen.returncode

    def wait(self) -> asyncio.Future[int]:
        """Done with the return code once the process has exited and is reaped."""
        return self._exited

    def _reap(self) -> None:
        returncode = self._popen.poll()
        if returncode is None:
            return  # not over yet (a pidfd is readable only once it is: never seen)
        self._loop.remove_reader(self._pidfd)
        os.close(self._pidfd)
        self._pidfd = -1
        self._done(returncode)

    def _wait_in_thread(self) -> None:
        returncode = self._popen.wait()
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
            self._loop.call_soon_threadsafe(self._done, returncode)

    def _done(self, returncode: int) -> None:
        if not self._exited.done():
            self._exited.set_result(returncode)


def start_process(
    argv: Sequence[str],
    *,
    stdin: int,
    stdout: int,
    stderr: int,
    env: Mapping[str, str],
    cwd: str,
) -> Process:
    """Start `argv` in a new session (so a new process group), with the given descriptors
    (the caller closes its copies); OSError when it cannot start."""
    popen = subprocess.Popen(
        argv,
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    return Process(popen)
