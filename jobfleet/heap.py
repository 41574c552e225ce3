"""How the C heap keeps freed memory, for the daemons that move output (master, slave).

glibc gives memory back to the system as soon as 128 KiB lie free at the top of a heap, and
serves blocks larger than its threshold (128 KiB until it adapts) with mmap. Output travels in
chunks of up to 1 MiB, each copied a few times (pipe, protobuf, gRPC, the store): under the
defaults every copy lands in freshly mapped pages the kernel must fault in and zero, and that,
not the copying, was most of the CPU a stream of output cost (measured: a bare SlaveLink stream
spent 0.31 s of CPU per 100 MB sending and 0.18 s receiving; with these settings 0.05 and 0.07).
So blocks up to `MMAP_THRESHOLD` come from the heap, and up to `TRIM_THRESHOLD` of free memory
stays in it for the next chunk.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

logger = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
"""mallopt's parameters (malloc.h)."""
MMAP_THRESHOLD = 4 << 20
"""Blocks from this size on are mapped (and unmapped when freed): above the largest chunk."""
TRIM_THRESHOLD = 8 << 20
"""Free memory kept at the top of a heap before it is given back."""


def keep_freed_memory() -> bool:
    """Set the thresholds, once, early (before threads start); False where the C library is
    not glibc (nothing changes there)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    done = bool(
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
    if not done:
        logger.debug("mallopt refused the heap thresholds; the C library's defaults stay")
    return done
