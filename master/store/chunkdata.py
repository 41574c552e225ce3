"""How an output chunk's bytes are kept in `log_chunk.data` (`log_chunk.codec` says which).

Chunks of at least MIN_PACKED bytes are lz4-compressed by the master as they are stored, and
kept so only when that saves at least an eighth: text output shrinks to a fraction (fewer
pages written, copied by checkpoints and read back), output lz4 cannot shrink is found out at
several GB/s and kept as it came. lz4 runs without the GIL. Readers always get the bytes as the
command wrote them (`unpack`)."""

from __future__ import annotations

from typing import Any

import lz4.block

RAW = 0
"""Kept as written."""
LZ4 = 1
"""An lz4 block, its original size in the first 4 bytes (little-endian)."""
MIN_PACKED = 4096
"""Smaller chunks (interactive output, a line or a few) are kept as they are."""


def pack(data: bytes) -> tuple[bytes, int]:
    """(bytes to store, codec)."""
    if len(data) < MIN_PACKED:
        return data, RAW
    packed: bytes = lz4.block.compress(data, store_size=True)
    if len(packed) > len(data) - len(data) // 8:
        return data, RAW
    return packed, LZ4


def unpack(stored: Any, codec: int) -> bytes:
    """The chunk's bytes as written, from what a row holds (bytes, or a memoryview on
    PostgreSQL)."""
    if codec == LZ4:
        data: bytes = lz4.block.decompress(stored)
        return data
    return bytes(stored)
