"""The binary COPY stream PostgreSQL reads output chunks from (db/pgcopy.py), decoded back."""

from __future__ import annotations

import struct

from master.db.pgcopy import HEADER, TRAILER, _encoded, _Pieces


def decoded(stream: bytes) -> list[list[bytes]]:
    """The rows of a binary COPY stream, each field's raw bytes."""
    assert stream.startswith(HEADER) and stream.endswith(TRAILER)
    at, rows = len(HEADER), []
    while stream[at:] != TRAILER:
        (width,) = struct.unpack_from("!h", stream, at)
        at += 2
        row = []
        for _ in range(width):
            (size,) = struct.unpack_from("!i", stream, at)
            row.append(stream[at + 4 : at + 4 + size])
            at += 4 + size
        rows.append(row)
    return rows


def test_rows_are_encoded_as_postgresql_reads_them_with_the_bytes_handed_on_uncopied() -> None:
    data = b"x" * 100_000
    pieces = list(_encoded(4, [(7, 0, data, False), (7, 1, b"", True), (2**31 - 1, 2, b"z", True)]))
    assert any(piece is data for piece in pieces)  # streamed as it is, not joined
    assert b"" not in pieces  # an empty read would end the COPY early
    assert decoded(b"".join(pieces)) == [
        [struct.pack("!i", 7), struct.pack("!i", 0), data, b"\x00"],
        [struct.pack("!i", 7), struct.pack("!i", 1), b"", b"\x01"],
        [struct.pack("!i", 2**31 - 1), struct.pack("!i", 2), b"z", b"\x01"],
    ]


def test_the_reader_gives_each_piece_then_the_end() -> None:
    reader = _Pieces(iter([b"a", b"bc"]))
    assert [reader.read(8192), reader.read(8192), reader.read(8192)] == [b"a", b"bc", b""]
