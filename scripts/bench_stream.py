#!/usr/bin/env python3
"""The peer of log ingest: how fast one SlaveLink.Attach stream moves output with no store.

A bare server (another process, the master's gRPC server options) answers every OutputChunk
with its OutputAck at once and keeps nothing; a client (the slave's channel options) sends
--megabytes MB as chunks of the slave's largest size (slave/commands/output.py MAX_CHUNK),
keeping at most the slave's default of unacked bytes in flight (both processes set the
C heap as the daemons do, jobfleet/heap.py), and counts MB/s from the first
write to the last ack. Beside `scripts/bench_task.py` (b) it tells the stream's share of the
ingest time from the store's.

Usage: .venv/bin/python scripts/bench_stream.py [--megabytes 100] [--repeat N]
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import benchlib
import grpc

from jobfleet.heap import keep_freed_memory
from jobfleet.v1 import slave_pb2, slave_pb2_grpc
from master.rpc.server import SERVER_OPTIONS
from slave.attach import CHANNEL_OPTIONS
from slave.commands.output import MAX_CHUNK
from slave.config import SlaveConfig

UNACKED = SlaveConfig.max_unacked_bytes


class Sink(slave_pb2_grpc.SlaveLinkServicer):
    """Acks every chunk as it comes; stores nothing."""

    async def Attach(
        self, request_iterator: AsyncIterator[slave_pb2.SlaveMessage], context: Any
    ) -> AsyncIterator[slave_pb2.MasterMessage]:
        async for msg in request_iterator:
            out = msg.output
            if len(out.data) >= 0:  # touch the bytes as the intake does
                ack = slave_pb2.OutputAck(execution_id=out.execution_id, seqs=[out.seq])
                yield slave_pb2.MasterMessage(output_ack=ack)


async def serve() -> None:
    """The sink on a free loopback port, printed on stdout; runs until killed."""
    server = grpc.aio.server(options=SERVER_OPTIONS)
    slave_pb2_grpc.add_SlaveLinkServicer_to_server(Sink(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    print(port, flush=True)
    await server.wait_for_termination()


async def send(target: str, megabytes: int) -> float:
    """Seconds to move `megabytes` MB through the sink, acked."""
    total = megabytes << 20
    data = b"x" * MAX_CHUNK
    count = -(-total // MAX_CHUNK)
    room = asyncio.Semaphore(max(1, UNACKED // MAX_CHUNK))
    async with grpc.aio.insecure_channel(target, options=CHANNEL_OPTIONS) as channel:
        call = slave_pb2_grpc.SlaveLinkStub(channel).Attach()
        loop = asyncio.get_running_loop()
        began = loop.time()

        async def write() -> None:
            for seq in range(count):
                await room.acquire()
                chunk = slave_pb2.OutputChunk(execution_id=1, seq=seq, data=data)
                await call.write(slave_pb2.SlaveMessage(output=chunk))
            await call.done_writing()

        writer = asyncio.create_task(write())
        for _ in range(count):
            await call.read()
            room.release()
        await writer
        return loop.time() - began


def measure(megabytes: int, runs: int) -> list[float]:
    """MB/s of `runs` transfers of `megabytes` MB, each on a stream of its own."""
    keep_freed_memory()  # this process sends as the slave does
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        target = f"127.0.0.1:{server.stdout.readline().strip()}"
        return [megabytes / asyncio.run(send(target, megabytes)) for _ in range(runs)]
    finally:
        server.kill()
        server.wait()


def main() -> int:
    if sys.argv[1:] == ["--serve"]:
        keep_freed_memory()  # this process receives as the master does
        asyncio.run(serve())
        return 0
    p = benchlib.parser(__doc__)
    p.add_argument("--megabytes", type=int, default=100, help="bytes moved per run")
    args = benchlib.parse(p, {"megabytes": 8})
    out = benchlib.Figures("stream")
    rates = measure(args.megabytes, benchlib.repeat(args, 3, 1))
    note = f"{args.megabytes} MB in {MAX_CHUNK >> 10} KiB chunks, acked, nothing stored"
    out.add("output over one SlaveLink stream, no store", "MB/s", rates, note)
    out.emit(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
