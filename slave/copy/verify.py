"""What a place received, checked against the blob it asked for (size and SHA-256)."""

from __future__ import annotations

import hashlib

from slave.copy.errors import CopyError
from slave.messages import Blob


class Received:
    """Fed every chunk as it is written (in the writer's thread); check() before committing."""

    def __init__(self, blob: Blob) -> None:
        self.blob = blob
        self.size = 0
        self._digest = hashlib.sha256()

    def take(self, chunk: bytes) -> None:
        """Count and hash a chunk; CopyError as soon as there is more than the blob holds."""
        self.size += len(chunk)
        if self.size > self.blob.size:
            raise CopyError(
                f"the download is longer than the blob's {self.blob.size} bytes; not placed"
            )
        self._digest.update(chunk)

    def check(self) -> None:
        """CopyError unless exactly the blob arrived."""
        if self.size != self.blob.size:
            raise CopyError(
                f"the download has {self.size} bytes, the blob {self.blob.size}; not placed"
            )
        got = self._digest.hexdigest()
        if got != self.blob.sha256:
            raise CopyError(
                f"sha256 mismatch: the download is {got}, the blob {self.blob.sha256}; not placed"
            )
