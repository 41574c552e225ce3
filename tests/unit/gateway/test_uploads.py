"""uploads: what goes over the wire for each file, seen by a recording CatalogService.

The recorder stands in for the master only to observe the stream the gateway sends (first
message, chunk sizes, a clean end or a cancel) and to refuse on cue; what the real master stores
is the master's integration tests' to check.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from starlette.datastructures import Headers
from starlette.testclient import TestClient
from starlette.types import Message

from gateway.app import create_app
from gateway.config import GatewayConfig
from gateway.statusheader import STATUS_HEADER
from gateway.uploads import CHUNK_BYTES, FileUpload
from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc
from tests.unit.gateway.bodies import BOUNDARY, CONTENT_TYPE, multipart_body
from tests.unit.gateway.test_app import CREDENTIALS, refused
from tests.unit.gateway.trust import trust

MiB = 1 << 20


@dataclass
class Received:
    """One UploadFile call as the recorder saw it."""

    messages: list[catalog_pb2.UploadFileRequest] = field(default_factory=list)
    ended: str = ""  # "clean" (half-closed by the gateway) or "cancelled"

    @property
    def head(self) -> catalog_pb2.UploadFileRequest:
        return self.messages[0]

    @property
    def data(self) -> bytes:
        return b"".join(m.data for m in self.messages[1:])


class Recorder(catalog_pb2_grpc.CatalogServiceServicer):
    def __init__(self) -> None:
        self.calls: list[Received] = []
        self.refuse: tuple[grpc.StatusCode, str, str] | None = None  # after the first chunk
        self.lock = threading.Lock()

    def UploadFile(self, requests: Iterator[Any], context: Any) -> Any:
        received = Received()
        with self.lock:
            self.calls.append(received)
        try:
            for message in requests:
                received.messages.append(message)
                if self.refuse and len(received.messages) == 2:
                    code, name, details = self.refuse
                    context.set_trailing_metadata((("jobfleet-field", name),))
                    context.abort(code, f"{name}: {details}")
        except grpc.RpcError:
            received.ended = "cancelled"
            raise
        received.ended = "clean"
        stored = catalog_pb2.StoredFile(id=len(self.calls), name=received.head.name)
        stored.size = len(received.data)
        return catalog_pb2.UploadFileResponse(file=stored)

    def ended(self, index: int) -> str:
        """How call `index` ended, once its thread has seen it (the HTTP answer may be first)."""
        deadline = time.monotonic() + 10
        while not self.calls[index].ended and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.calls[index].ended


@pytest.fixture
def recorder() -> Iterator[tuple[Recorder, int]]:
    servicer = Recorder()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    catalog_pb2_grpc.add_CatalogServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield servicer, port
    server.stop(None)


def gateway(port: int, max_upload_bytes: int = 8 * MiB) -> TestClient:
    config = GatewayConfig(
        master=f"127.0.0.1:{port}", max_body_bytes=1024, max_upload_bytes=max_upload_bytes
    )
    return TestClient(create_app(config, verify=trust), headers=CREDENTIALS)


def upload(client: TestClient, *parts: tuple[str, str | None, bytes]) -> Any:
    headers = {"content-type": CONTENT_TYPE, "appname": "flow"}
    return client.post("/fileserver/3", content=multipart_body(*parts), headers=headers)


def test_each_file_is_one_call_first_its_name_then_chunks_of_at_most_1_MiB(
    recorder: tuple[Recorder, int],
) -> None:
    servicer, port = recorder
    big = bytes(range(256)) * (10 * MiB // 256 // 4)  # 2.5 MiB

    with gateway(port) as client:
        reply = upload(
            client, ("a", "big.bin", big), ("note", None, b"skip"), ("b", "s.txt", b"hi")
        )

    assert reply.status_code == 200, reply.text
    assert [(row["name"], row["size"]) for row in reply.json()["data"]] == [
        ("big.bin", len(big)),
        ("s.txt", 2),
    ]
    first, second = servicer.calls
    assert first.head == catalog_pb2.UploadFileRequest(project_id=3, name="big.bin", actor="flow")
    assert [len(m.data) for m in first.messages[1:]] == [MiB, MiB, MiB // 2, 0]
    assert [m.last for m in first.messages] == [False, False, False, False, True]
    assert first.data == big
    assert second.head.name == "s.txt"
    assert [m.data for m in second.messages[1:]] == [b"hi", b""]
    assert (first.ended, second.ended) == ("clean", "clean")


def test_an_empty_file_is_its_name_then_the_end(recorder: tuple[Recorder, int]) -> None:
    servicer, port = recorder

    with gateway(port) as client:
        reply = upload(client, ("a", "empty", b""))

    assert reply.status_code == 200, reply.text
    assert [m.last for m in servicer.calls[0].messages] == [False, True]


def post_in_pieces(config: GatewayConfig, pieces: list[bytes]) -> tuple[int, dict[str, Any]]:
    """POST /fileserver/3 straight to the ASGI app, the body in these pieces (TestClient would
    send it in one): (the status the answer stands for, its body)."""
    app = create_app(config, verify=trust)
    messages: list[Message] = [
        {"type": "http.request", "body": piece, "more_body": True} for piece in pieces
    ]
    messages.append({"type": "http.request", "body": b"", "more_body": False})
    sent: list[Message] = []

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    async def run() -> None:
        async with app.router.lifespan_context(app) as state:
            scope = {
                "type": "http",
                "method": "POST",
                "path": "/fileserver/3",
                "root_path": "",
                "query_string": b"",
                "headers": [
                    (b"content-type", CONTENT_TYPE.encode()),
                    *((k.lower().encode(), v.encode()) for k, v in CREDENTIALS.items()),
                ],
                "state": state,
            }
            await app(scope, receive, send)

    asyncio.run(run())
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return int(Headers(raw=sent[0]["headers"])[STATUS_HEADER]), json.loads(body)


def test_over_the_cap_after_a_chunk_went_out_the_call_is_cancelled(
    recorder: tuple[Recorder, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancelled, never ended cleanly. (Whether the master then keeps nothing is the master's
    to make sure: a server can read a cancelled stream as ended, see the master's tests.)"""
    servicer, port = recorder
    abandoned: list[tuple[str, bool]] = []
    cancel = FileUpload.cancel

    def spy(upload: FileUpload) -> bool:
        abandoned.append((upload.name, cancel(upload)))
        return abandoned[-1][1]

    monkeypatch.setattr(FileUpload, "cancel", spy)
    config = GatewayConfig(master=f"127.0.0.1:{port}", max_upload_bytes=CHUNK_BYTES + 10)
    first, _ = multipart_body(("a", "ok", b"1")).split(f"--{BOUNDARY}--".encode())
    head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="b"; filename="big.iso"\r\n\r\n'

    status, body = post_in_pieces(
        config, [first + head.encode(), b"x" * CHUNK_BYTES, b"x" * 20, b"x" * 20]
    )

    assert status == 413
    assert body["info"] == f"big.iso: larger than the upload limit of {CHUNK_BYTES + 10} bytes"
    assert servicer.ended(0) == "clean"  # files before the failure stay stored
    assert abandoned == [("big.iso", True)]


@pytest.mark.parametrize(
    ("code", "proto_field", "status"),
    [
        (grpc.StatusCode.RESOURCE_EXHAUSTED, "data", 413),
        (grpc.StatusCode.NOT_FOUND, "project_id", 404),
        (grpc.StatusCode.INVALID_ARGUMENT, "name", 400),
    ],
)
def test_a_refusal_by_the_master_names_the_file(
    recorder: tuple[Recorder, int], code: grpc.StatusCode, proto_field: str, status: int
) -> None:
    servicer, port = recorder
    servicer.refuse = (code, proto_field, "refused by the master")

    with gateway(port) as client:
        reply = upload(client, ("a", "big.iso", b"x" * (3 * CHUNK_BYTES)))

    info = refused(reply, status, "big.iso")
    assert info.endswith("big.iso: refused by the master")
