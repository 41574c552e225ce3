"""The content-addressed blob store under the data dir: `blobs/ab/abcdef…` by SHA-256.

Writes go to a temporary file in the store, are hashed on the way, capped in size, and
renamed into place; a blob that exists already is not written twice. Reads are chunked and may
start at an offset (a download resumed after the link dropped). Directories are 0700 and blobs
0600 (mkstemp makes them so; `make_private` tightens what an older release left looser).

Nothing deletes a blob when its last user goes; `sweep` removes, now and then, those nobody
references any more (master/store/blobs.py says who does) once they are older than a grace
period, and temp files an interrupted upload left behind.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

from master.errors import InvalidArgument, NotFound, ResourceExhausted

logger = logging.getLogger(__name__)

CHUNK = 1 << 20
SHA256_HEX = frozenset("0123456789abcdef")
PRIVATE_DIR = 0o700


class TooLarge(ResourceExhausted):
    """An upload past the size cap."""


class OutOfRange(InvalidArgument):
    """A read past the blob's end."""


@dataclass(frozen=True)
class BlobInfo:
    sha256: str
    size: int


@dataclass(frozen=True)
class Swept:
    """What one sweep freed."""

    blobs: int = 0
    blob_bytes: int = 0
    temps: int = 0


class FileStore:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        root.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        (root / "tmp").mkdir(mode=PRIVATE_DIR, exist_ok=True)

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not set(sha256) <= SHA256_HEX:
            raise InvalidArgument("not a SHA-256 hex digest", "sha256")
        return self.root / sha256[:2] / sha256

    async def write(self, chunks: AsyncIterator[bytes]) -> BlobInfo:
        """Store the bytes the iterator yields; TooLarge past the cap, leaving nothing."""
        digest, size = hashlib.sha256(), 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root / "tmp")  # 0600
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise TooLarge(f"larger than the {self.max_bytes} byte cap", "data")
                    digest.update(chunk)
                    out.write(chunk)
            info = BlobInfo(digest.hexdigest(), size)
            final = self.path(info.sha256)
            final.parent.mkdir(mode=PRIVATE_DIR, exist_ok=True)
            tmp.replace(final)  # a fresh mtime, even for a blob stored before: see sweep
            return info
        finally:
            tmp.unlink(missing_ok=True)

    def read(self, sha256: str, offset: int = 0) -> Iterator[bytes]:
        """The blob's bytes from `offset` on; NotFound, or OutOfRange past its end."""
        path = self.path(sha256)
        if offset < 0:
            raise InvalidArgument(f"must be >= 0, got {offset}", "offset")
        try:
            src = path.open("rb")
        except FileNotFoundError:
            raise NotFound(f"no blob {sha256} in the file store", "sha256") from None
        with src:
            size = os.fstat(src.fileno()).st_size
            if offset > size:
                raise OutOfRange(f"{offset} is past the blob's {size} bytes", "offset")
            src.seek(offset)
            while chunk := src.read(CHUNK):
                yield chunk

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def make_private(self) -> int:
        """Take group/others' bits off the store's directories and blobs; how many had them."""
        tightened = 0
        for dirpath, _, names in os.walk(self.root):
            for path in (Path(dirpath), *(Path(dirpath, n) for n in names)):
                mode = path.lstat().st_mode & 0o777
                if mode & 0o077:
                    path.chmod(mode & 0o700)
                    tightened += 1
        if tightened:
            logger.info(
                "tightened %d file store entries under %s to 0700/0600", tightened, self.root
            )
        return tightened

    def sweep(self, referenced: set[str], grace: float, now: float | None = None) -> Swept:
        """Remove blobs not in `referenced` and temp files, both unchanged for `grace` seconds.

        `referenced` must be read before the sweep starts: a blob stored (or stored again)
        since has a fresh mtime and so survives it."""
        cutoff = (time.time() if now is None else now) - grace
        blobs = blob_bytes = 0
        for shard in self._shards():
            for entry in os.scandir(shard):
                if entry.name in referenced or not _stale(entry, cutoff):
                    continue
                size = entry.stat(follow_symlinks=False).st_size
                if _unlink(entry.path):
                    blobs, blob_bytes = blobs + 1, blob_bytes + size
        temps = sum(
            1
            for entry in os.scandir(self.root / "tmp")
            if _stale(entry, cutoff) and _unlink(entry.path)
        )
        return Swept(blobs, blob_bytes, temps)

    def _shards(self) -> Iterator[Path]:
        for entry in os.scandir(self.root):
            if len(entry.name) == 2 and set(entry.name) <= SHA256_HEX and entry.is_dir():
                yield Path(entry.path)


def _stale(entry: os.DirEntry[str], cutoff: float) -> bool:
    try:
        info = entry.stat(follow_symlinks=False)
    except FileNotFoundError:
        return False
    return entry.is_file(follow_symlinks=False) and info.st_mtime < cutoff


def _unlink(path: str) -> bool:
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True
