"""A slave built from the generated stubs alone: it says and sends exactly what a test wants,
so a test can attach as an attacker would (another slave's name, another slave's executions,
forged results) or as an honest slave that answers only when told to."""

from __future__ import annotations

import queue
import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any

import grpc

from jobfleet.v1 import common_pb2, slave_pb2, slave_pb2_grpc
from tests.waiting import wait_until

Orders = slave_pb2.MasterMessage


class StubSlave:
    """One SlaveLink.Attach stream; `welcome()` waits for the master's answer (or its refusal,
    raised as the grpc.RpcError)."""

    def __init__(
        self,
        address: str,
        name: str,
        *,
        join_token: str = "",
        credential: str = "",
        instance: str = "",
        projects: tuple[int, ...] = (),
        run_as: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self._channel = grpc.insecure_channel(address)
        self._out: queue.Queue[slave_pb2.SlaveMessage | None] = queue.Queue()
        self._in: queue.Queue[Orders] = queue.Queue()
        self.error: grpc.RpcError | None = None
        self.ended = threading.Event()
        hello = slave_pb2.Hello(
            name=name,
            version="stub",
            hostname=name,
            join_token=join_token,
            credential=credential,
            instance=instance or secrets.token_hex(8),
            projects=projects,
            run_as=run_as,
        )
        self._out.put(slave_pb2.SlaveMessage(hello=hello))
        self._call = slave_pb2_grpc.SlaveLinkStub(self._channel).Attach(self._outgoing())
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        threading.Thread(target=self._beat, daemon=True).start()

    def _beat(self) -> None:
        """Heartbeats, as a live slave sends them (else the master drops a silent stream)."""
        while not self.ended.wait(1.0):
            self._out.put(slave_pb2.SlaveMessage(heartbeat=slave_pb2.Heartbeat(running=0)))

    def _outgoing(self) -> Iterator[slave_pb2.SlaveMessage]:
        while (message := self._out.get()) is not None:
            yield message

    def _read(self) -> None:
        try:
            for message in self._call:
                self._in.put(message)
        except grpc.RpcError as exc:
            self.error = exc
        finally:
            self.ended.set()

    def welcome(self, timeout: float = 20) -> slave_pb2.Welcome:
        """The Welcome; the master's refusal (a grpc.RpcError) if it refused the stream."""
        message = self.next(timeout)
        assert message.WhichOneof("body") == "welcome", message
        return message.welcome

    def next(self, timeout: float = 20) -> Orders:
        """The master's next message; raises the stream's error if it ended instead."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                return self._in.get(timeout=0.05)
            except queue.Empty:
                if self.ended.is_set() and self._in.empty():
                    if self.error is not None:
                        raise self.error from None
                    raise AssertionError(f"stub {self.name}: the stream ended") from None
        raise AssertionError(f"stub {self.name}: nothing from the master in {timeout} s")

    def next_of(self, kind: str, timeout: float = 20) -> Orders:
        """The next message of that kind (run, copy, kill, output_ack, result_ack), skipping
        the others."""

        def found() -> Orders | None:
            message = self.next(timeout)
            return message if message.WhichOneof("body") == kind else None

        return wait_until(found, timeout, interval=0, what=f"stub {self.name}: a {kind}")

    def received(self) -> list[Orders]:
        """Every message that came so far, without waiting."""
        got = []
        while not self._in.empty():
            got.append(self._in.get_nowait())
        return got

    def send(self, **body: Any) -> None:
        self._out.put(slave_pb2.SlaveMessage(**body))

    def output(self, execution_id: int, seq: int, data: bytes) -> None:
        self.send(output=slave_pb2.OutputChunk(execution_id=execution_id, seq=seq, data=data))

    def result(
        self,
        execution_id: int,
        chunks: int,
        status: common_pb2.ExecutionStatus = common_pb2.EXECUTION_STATUS_SUCCESS,
        fetched: slave_pb2.Blob | None = None,
    ) -> None:
        result = slave_pb2.ExecutionResult(
            execution_id=execution_id, status=status, chunk_count=chunks, fetched=fetched
        )
        self.send(result=result)

    def refusal(self, timeout: float = 20) -> grpc.RpcError:
        """The error the master ended the stream with (it must end)."""
        assert self.ended.wait(timeout), f"stub {self.name}: the master did not end the stream"
        assert self.error is not None, f"stub {self.name}: the stream ended without an error"
        return self.error

    def upload(self, credential: str, execution_id: int, data: bytes) -> slave_pb2.Blob:
        """Store `data` through FileService as this slave (with `credential`)."""
        requests = iter(
            [slave_pb2.UploadBlobRequest(data=data, execution_id=execution_id, last=True)]
        )
        stub = slave_pb2_grpc.FileServiceStub(self._channel)
        reply = stub.UploadBlob(requests, metadata=self.metadata(credential), timeout=20)
        blob: slave_pb2.Blob = reply.blob
        return blob

    def download(self, credential: str, sha256: str, execution_id: int) -> bytes:
        stub = slave_pb2_grpc.FileServiceStub(self._channel)
        ask = slave_pb2.DownloadBlobRequest(sha256=sha256, execution_id=execution_id)
        replies = stub.DownloadBlob(ask, metadata=self.metadata(credential), timeout=20)
        return b"".join(r.data for r in replies)

    def metadata(self, credential: str) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Token {credential}"), ("jobfleet-slave", self.name))

    def close(self) -> None:
        self._out.put(None)
        self._call.cancel()
        self._channel.close()
