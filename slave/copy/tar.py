"""A local directory as a tar stream: tarfile in streaming mode ("w|") in a thread of its own,
writing into a bounded pipe that the upload reads from the event loop. Memory stays at a few
chunks whatever the tree holds; a slow upload pauses the tar."""

from __future__ import annotations

import asyncio
import collections
import tarfile
import threading

from slave.commands.runas import RunAs
from slave.copy.errors import CopyError
from slave.copy.fsids import act_as
from slave.copy.machine import CHUNK

DEPTH = 4
"""Chunks the pipe holds before the producer waits."""


class Pipe:
    """Bytes from one producer thread to one coroutine, in chunks of at most `size`.

    The thread calls write() (blocks while `depth` chunks wait) and finish(); the loop calls
    read(). close() from the loop makes the thread's next write raise BrokenPipeError."""

    def __init__(self, size: int = CHUNK, depth: int = DEPTH) -> None:
        self._size = size
        self._depth = depth
        self._loop = asyncio.get_running_loop()
        self._lock = threading.Condition()
        self._chunks: collections.deque[bytes] = collections.deque()
        self._buffer = bytearray()
        self._ended = False
        self._error: BaseException | None = None
        self._closed = False
        self._ready = asyncio.Event()

    # --- the producer's side (its thread) -------------------------------------------------

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) >= self._size:
            self._put(bytes(self._buffer[: self._size]))
            del self._buffer[: self._size]
        return len(data)

    def finish(self, error: BaseException | None = None) -> None:
        """The end: flush what is buffered (unless failed) and wake the reader."""
        if error is None and self._buffer:
            self._put(bytes(self._buffer))
        with self._lock:
            self._ended, self._error = True, error
        self._wake()

    def _put(self, chunk: bytes) -> None:
        with self._lock:
            while len(self._chunks) >= self._depth and not self._closed:
                self._lock.wait()
            if self._closed:
                raise BrokenPipeError("the reader is gone")
            self._chunks.append(chunk)
        self._wake()

    def _wake(self) -> None:
        try:
            self._loop.call_soon_threadsafe(self._ready.set)
        except RuntimeError:  # the loop is closed: nobody reads any more
            pass

    # --- the reader's side (the event loop) -----------------------------------------------

    async def read(self) -> bytes:
        """The next chunk; b"" at the end; the producer's error, re-raised, if it failed."""
        while True:
            with self._lock:
                if self._chunks:
                    chunk = self._chunks.popleft()
                    self._lock.notify()
                    return chunk
                if self._ended:
                    if self._error is not None:
                        raise self._error
                    return b""
                self._ready.clear()
            await self._ready.wait()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._chunks.clear()
            self._lock.notify_all()


class LocalTree:
    """A Source: the tar of directory `root` (entries named ./..., like `tar -C root -cf - .`),
    read as `run_as` (its thread takes the account's file identity first)."""

    is_dir: bool = True
    size: int | None = None

    def __init__(self, root: str, where: str, run_as: RunAs) -> None:
        self._root = root
        self._where = where
        self._run_as = run_as
        self._pipe = Pipe()
        self._thread = threading.Thread(target=self._produce, name="copy-tar", daemon=True)
        self._thread.start()

    async def read(self) -> bytes:
        try:
            return await self._pipe.read()
        except OSError as exc:
            what = exc.filename or self._where
            raise CopyError(f"cannot read {what}: {exc.strerror or exc}") from None
        except tarfile.TarError as exc:
            raise CopyError(f"cannot pack {self._where}: {exc}") from None

    async def close(self) -> None:
        self._pipe.close()

    def _produce(self) -> None:
        try:
            act_as(self._run_as)
        except OSError as exc:
            self._pipe.finish(CopyError(f"cannot act as {self._run_as.name}: {exc.strerror}"))
            return
        try:
            with tarfile.open(fileobj=self._pipe, mode="w|", bufsize=CHUNK) as tar:  # type: ignore[call-overload]
                tar.add(self._root, arcname=".")
        except BrokenPipeError:
            self._pipe.finish(CopyError("the upload stopped"))
        except Exception as exc:
            self._pipe.finish(exc)
        else:
            self._pipe.finish()
