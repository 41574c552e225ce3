"""The content-addressed blob store under the data dir: `blobs/ab/abcdef…` by SHA-256.

Writes go to a temporary file in the store, are hashed on the way, capped in size, and
renamed into place; a blob that exists already is not written twice. Reads are chunked.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

from master.errors import InvalidArgument, NotFound, ResourceExhausted

CHUNK = 1 << 20
SHA256_HEX = frozenset("0123456789abcdef")


class TooLarge(ResourceExhausted):
    """An upload past the size cap."""


@dataclass(frozen=True)
class BlobInfo:
    sha256: str
    size: int


class FileStore:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        (root / "tmp").mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not set(sha256) <= SHA256_HEX:
            raise InvalidArgument("not a SHA-256 hex digest", "sha256")
        return self.root / sha256[:2] / sha256

    async def write(self, chunks: AsyncIterator[bytes]) -> BlobInfo:
        """Store the bytes the iterator yields; TooLarge past the cap, leaving nothing."""
        digest, size = hashlib.sha256(), 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root / "tmp")
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
            final.parent.mkdir(exist_ok=True)
            tmp.replace(final)
            return info
        finally:
            tmp.unlink(missing_ok=True)

    def read(self, sha256: str) -> Iterator[bytes]:
        path = self.path(sha256)
        if not path.exists():
            raise NotFound(f"no blob {sha256} in the file store", "sha256")
        with path.open("rb") as src:
            while chunk := src.read(CHUNK):
                yield chunk

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()
