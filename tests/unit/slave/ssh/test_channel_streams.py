"""ChannelReader on a paramiko channel fed as its transport thread feeds it: stdout and stderr
read in the order their data arrived, the wrapper's pid line found on stderr with what follows
it kept as the command's stderr, and stdout alone (for copies) with stderr collected as lines."""

from __future__ import annotations

import asyncio
import threading

import paramiko

from slave.messages import Piece
from slave.ssh.channel import ChannelReader

OUT, ERR = False, True


class Fed:
    """A channel with no connection under it, fed like paramiko's transport thread does."""

    def __init__(self) -> None:
        self.channel = paramiko.Channel(1)
        self.reader = ChannelReader(self.channel)

    def feed(self, *pieces: tuple[bool, bytes]) -> None:
        for stderr, data in pieces:
            buffer = self.channel.in_stderr_buffer if stderr else self.channel.in_buffer
            buffer.feed(data)

    def end(self) -> None:
        self.channel._handle_eof(None)

    async def all_pieces(self) -> list[tuple[bool, bytes]]:
        pieces: list[tuple[bool, bytes]] = []
        while (piece := await asyncio.wait_for(self.reader.read_piece(1 << 16), 5)).data:
            pieces.append((piece.stderr, piece.data))
        return pieces


def test_both_streams_come_in_the_order_they_arrived() -> None:
    async def scenario() -> list[tuple[bool, bytes]]:
        fed = Fed()
        fed.feed((OUT, b"out1\n"), (ERR, b"err1\n"), (OUT, b"out2\n"), (ERR, b"err2\n"))
        fed.feed((ERR, b"err3\n"), (OUT, b"out3\n"))
        fed.end()
        return await fed.all_pieces()

    assert asyncio.run(scenario()) == [
        (OUT, b"out1\n"),
        (ERR, b"err1\n"),
        (OUT, b"out2\n"),
        (ERR, b"err2\n"),
        (ERR, b"err3\n"),
        (OUT, b"out3\n"),
    ]


def test_a_reader_waiting_wakes_for_data_fed_from_another_thread() -> None:
    async def scenario() -> tuple[Piece, list[tuple[bool, bytes]]]:
        fed = Fed()
        waiting = asyncio.create_task(fed.reader.read_piece(4))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        feeder = threading.Thread(target=fed.feed, args=((ERR, b"late line\n"),))
        feeder.start()
        first = await asyncio.wait_for(waiting, 5)
        feeder.join()
        fed.end()
        return first, await fed.all_pieces()

    first, rest = asyncio.run(scenario())

    assert first == Piece(ERR, b"late")  # at most `limit` bytes, the rest left for later
    assert rest == [(ERR, b" line\n")]


def test_the_pid_line_is_found_and_the_commands_stderr_after_it_is_kept() -> None:
    async def scenario() -> tuple[str | None, list[str], list[tuple[bool, bytes]]]:
        fed = Fed()
        fed.feed((ERR, b"jobfleet-error note\njobfleet-pg"), (ERR, b"id 4242\nerr1\n"))
        fed.feed((OUT, b"out1\n"), (ERR, b"err2\n"))
        fed.end()
        pgid = await asyncio.wait_for(fed.reader.line("jobfleet-pgid "), 5)
        return pgid, list(fed.reader.lines), await fed.all_pieces()

    pgid, lines, pieces = asyncio.run(scenario())

    assert pgid == "4242"
    assert lines == ["jobfleet-error note", "jobfleet-pgid 4242"]
    assert pieces == [(ERR, b"err1\n"), (OUT, b"out1\n"), (ERR, b"err2\n")]


def test_stdout_alone_collects_stderr_lines_on_the_way() -> None:
    async def scenario() -> tuple[bytes, list[str]]:
        fed = Fed()
        fed.feed((OUT, b"data "), (ERR, b"tar: warn"), (OUT, b"more"), (ERR, b"ing\nlast"))
        fed.end()
        got = b""
        while chunk := await asyncio.wait_for(fed.reader.read(3), 5):
            got += chunk
        return got, fed.reader.take_stderr()

    assert asyncio.run(scenario()) == (b"data more", ["tar: warning"])
