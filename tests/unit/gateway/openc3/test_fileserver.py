"""fileserver routes without a master: what is refused before (or instead of) any call.

Uploads are not under the 1 MiB body cap but under the per-file `max_upload_bytes`; a file over
it is refused before the master hears of it, because a file's call opens only with its first
full chunk (1 MiB) or at its end.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
from starlette.testclient import TestClient
from starlette.types import ASGIApp

from gateway.app import UNCAPPED_ROUTES, create_app
from gateway.bodylimit import BodyLimit
from gateway.config import GatewayConfig
from tests.unit.gateway.bodies import CONTENT_TYPE, multipart_body
from tests.unit.gateway.test_app import CREDENTIALS, closed_port, refused
from tests.unit.gateway.trust import trust

TOKEN = "a" * 32


@pytest.fixture
def client() -> Iterator[TestClient]:
    config = GatewayConfig(
        master=f"127.0.0.1:{closed_port()}",
        max_body_bytes=1024,
        max_upload_bytes=4096,
        rpc_timeout=5,
    )
    with TestClient(create_app(config, verify=trust), headers=CREDENTIALS) as client:
        yield client


def upload(client: TestClient, *parts: tuple[str, str | None, bytes], **kwargs: Any) -> Any:
    path = kwargs.pop("path", "/fileserver/1")
    headers = {"content-type": CONTENT_TYPE, **kwargs.pop("headers", {})}
    return client.post(path, content=multipart_body(*parts), headers=headers, **kwargs)


def test_a_file_over_the_upload_cap_is_413_naming_it(client: TestClient) -> None:
    reply = upload(client, ("note", None, b"x"), ("file", "big.iso", b"x" * 5000))

    info = refused(reply, 413, "big.iso")
    assert info == "big.iso: larger than the upload limit of 4096 bytes"


def test_uploads_are_not_under_the_body_cap(client: TestClient) -> None:
    """3000 bytes: over the 1024-byte body cap, under the upload cap: it goes to the master."""
    reply = upload(client, ("file", "ok.bin", b"x" * 3000))

    assert refused(reply, 503, "ok.bin").startswith("ok.bin: master unavailable: ")


@pytest.mark.parametrize("path", ["/api/job/fileserver/1", "/api/job/fileserver/1/upload"])
def test_uploads_under_api_job_are_capped_per_file_as_at_the_root(
    client: TestClient, path: str
) -> None:
    """The pages upload to `/api/job/...`: the body cap is not theirs, the file cap is."""
    headers = {"token": TOKEN}
    ok = upload(client, ("file", "ok.bin", b"x" * 3000), path=path, headers=headers)
    big = upload(client, ("file", "big.iso", b"x" * 5000), path=path, headers=headers)

    assert refused(ok, 503, "ok.bin").startswith("ok.bin: master unavailable: ")
    assert refused(big, 413, "big.iso") == "big.iso: larger than the upload limit of 4096 bytes"


def test_the_body_cap_still_applies_elsewhere(client: TestClient) -> None:
    refused(upload(client, ("file", "ok.bin", b"x" * 3000), path="/task/1/plugin_cmd"), 413, "body")
    form = {"name": "n", "src": "a", "dst": "b", "sp": "/x", "dp": "/y", "variable": "x" * 2000}
    refused(client.post("/task/1/plugin_scp", data=form), 413, "body")


def test_only_the_upload_routes_are_uncapped() -> None:
    def exempt(method: str, path: str) -> bool:
        scope = {"type": "http", "method": method, "path": path, "root_path": ""}
        no_app = cast(ASGIApp, None)  # never called: _exempt reads the scope alone
        return BodyLimit(app=no_app, max_bytes=1, exempt=UNCAPPED_ROUTES)._exempt(scope)

    assert exempt("POST", "/fileserver/1")
    assert exempt("POST", "/fileserver/7/upload")
    assert not exempt("GET", "/fileserver/1")
    assert not exempt("DELETE", "/fileserver/1/2")
    assert not exempt("POST", "/fileserver/1/2")
    assert not exempt("POST", "/task/1/plugin_scp")
    assert not exempt("POST", "/jobs/1")


@pytest.mark.parametrize(
    "name", ["", " ", "a/b", "..", "a..b", ".env", "dir\\\\x", "C:\\\\x\\\\..", "x" * 256]
)
def test_bad_file_names_are_400_naming_name(client: TestClient, name: str) -> None:
    info = refused(upload(client, ("file", name, b"x")), 400, "name")

    assert info.startswith("check format fail: name: file name ")


def test_a_windows_full_path_is_its_last_component(client: TestClient) -> None:
    """As old browsers sent it; python-multipart (and so Starlette) keeps the last component,
    which is then checked like any name (here it reaches the absent master)."""
    reply = upload(client, ("file", "C:\\\\Users\\\\me\\\\app.tgz", b"x"))

    assert refused(reply, 503, "app.tgz").startswith("app.tgz: master unavailable: ")


def test_an_upload_without_a_file_is_400(client: TestClient) -> None:
    refused(upload(client, ("note", None, b"just text")), 400, "file")


def test_other_bodies_are_415(client: TestClient) -> None:
    refused(client.post("/fileserver/1", json={"file": "x"}), 415, "content-type")
    refused(client.post("/fileserver/1", data={"file": "x"}), 415, "content-type")


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("POST", "/fileserver/00", "projectid"),
        ("POST", "/fileserver/x/upload", "projectid"),
        ("GET", "/fileserver/-1", "projectid"),
        ("DELETE", "/fileserver/1/x", "fileserverid"),
        ("DELETE", "/fileserver/1/upload", "fileserverid"),
        ("GET", "/fileserver/1?create_time_start=May", "create_time_start"),
        ("GET", "/fileserver/1?limit=0", "limit"),
    ],
)
def test_ids_and_filters_are_checked(
    client: TestClient, method: str, path: str, field: str
) -> None:
    refused(client.request(method, path), 400, field)


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/fileserver/1"), ("DELETE", "/fileserver/1/2")]
)
def test_list_and_delete_call_the_master(client: TestClient, method: str, path: str) -> None:
    assert refused(client.request(method, path), 503, "").startswith("master unavailable: ")


def no_credentials(client: TestClient) -> dict[str, str]:
    """Headers that take away the client's default `Authorization`."""
    return {"authorization": ""}


def test_token_upload_needs_a_token(client: TestClient) -> None:
    reply = upload(
        client, ("f", "a", b"x"), path="/fileserver/1/upload", headers=no_credentials(client)
    )

    refused(reply, 401, "token")


def test_token_upload_takes_the_token_header(client: TestClient) -> None:
    headers = {**no_credentials(client), "token": TOKEN}
    reply = upload(client, ("f", "a", b"x"), path="/fileserver/1/upload", headers=headers)

    refused(reply, 503, "")  # past the credentials: the upload's call finds no master
    assert TOKEN not in reply.text


def test_only_the_token_upload_takes_the_token_header(client: TestClient) -> None:
    headers = {**no_credentials(client), "token": TOKEN}

    refused(upload(client, ("f", "a", b"x"), headers=headers), 401, "token")
    refused(client.get("/fileserver/1", headers=headers), 401, "token")
