"""TLS and mutual TLS on the master's gRPC port, with real processes and throwaway certificates:
work flows end to end, clients without the right certificate are turned away, bad flags and
files are refused at start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import grpc
import httpx
import pytest

from jobfleet.tls import Pem, client_tls
from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc
from tests.certs import Authority, Pair, authority
from tests.integration.conftest import Gateway, Master, Proc
from tests.integration.rest import refusal, submit, tasklog, wait_final
from tests.waiting import wait_until


@pytest.fixture
def ca(tmp_path: Path) -> Authority:
    return authority(tmp_path / "pki")


def serving(pair: Pair, client_ca: Authority | None = None) -> list[str]:
    """The master's flags: TLS with `pair`, mutual when `client_ca` is given."""
    flags = ["--tls-cert", str(pair.cert), "--tls-key", str(pair.key)]
    return [*flags, "--tls-ca", str(client_ca.pem)] if client_ca else flags


def dialling(ca: Authority, pair: Pair | None = None) -> list[str]:
    """A client's flags: check the master against `ca`, present `pair` when given."""
    flags = ["--tls-ca", str(ca.pem)]
    return [*flags, "--tls-cert", str(pair.cert), "--tls-key", str(pair.key)] if pair else flags


def tls_master(
    start_master: Callable[..., Master], ca: Authority, *, mutual: bool = False
) -> Master:
    """A master serving TLS (mutual when asked), and the test's calls set up to reach it."""
    client = ca.client("tester") if mutual else None
    tls = client_tls(
        Pem(ca.pem, "ca"),
        Pem(client.cert, "cert") if client else None,
        Pem(client.key, "key") if client else None,
    )
    return start_master(*serving(ca.server(), ca if mutual else None), tls=tls)


def attached(master: Master) -> set[str]:
    with master.channel() as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        slaves = stub.ListSlaves(catalog_pb2.ListSlavesRequest(), timeout=10).slaves
    return {s.name for s in slaves if s.attached}


def refused(slave: Proc) -> bool:
    return "cannot attach to master" in slave.log.read_text()


def run(
    module: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )


def test_a_command_and_a_copy_run_end_to_end_over_tls(
    ca: Authority,
    tmp_path: Path,
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
) -> None:
    master = tls_master(start_master, ca)
    start_slave(master, "s1", *dialling(ca))
    gateway = start_gateway(master, *dialling(ca))

    with gateway.client() as http:
        uuid = submit(http, "echo over tls")
        done = wait_final(http, uuid)
        log = tasklog(http, uuid)["s1"]["log"]
        # The upload takes the gateway's blocking channel, the copy the slave's FileService.
        uploaded = http.post("/fileserver/1", files={"file": ("note.txt", b"sealed\n")})
        assert uploaded.status_code == 200, uploaded.text
        copied = submit_copy(http, "note.txt", tmp_path / "placed.txt")
        copy_done = wait_final(http, copied)
        copy_log = tasklog(http, copied)

    assert done["status"] == "success" and log == "over tls\n"
    assert copy_done["status"] == "success", copy_log
    assert (tmp_path / "placed.txt").read_bytes() == b"sealed\n"
    assert "(TLS)" in master.proc.log.read_text()


def submit_copy(http: httpx.Client, name: str, dest: Path) -> str:
    """A copy of file-server file `name` to slave s1's `dest` (the slave fetches it from the
    master's FileService on its TLS link)."""
    body = {
        "name": "copy",
        "user": "root",
        "chown": "",
        "chmod": "",
        "timeout": "60",
        "src_type": "fileserver",
        "src": "",
        "sp": name,
        "dst_type": "builtin",
        "dst": "s1",
        "dp": str(dest),
    }
    resp = http.post("/task/1/plugin_scp", json=body)
    assert resp.status_code == 200, resp.text
    return str(resp.json()["uuid"])


def test_mutual_tls_admits_only_clients_with_a_certificate_of_its_ca(
    ca: Authority,
    tmp_path: Path,
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
) -> None:
    master = tls_master(start_master, ca, mutual=True)
    stranger_ca = authority(tmp_path / "elsewhere", "stranger-ca")
    anonymous = start_slave(master, "anonymous", *dialling(ca), wait=False)
    stranger = start_slave(
        master, "stranger", *dialling(ca, stranger_ca.client("stranger")), wait=False
    )
    start_slave(master, "signed", *dialling(ca, ca.client("signed")))

    wait_until(lambda: refused(anonymous) and refused(stranger), 30, what="both refused")

    assert attached(master) == {"signed"}
    assert "(mutual TLS)" in master.proc.log.read_text()


def test_jobfleet_run_over_mutual_tls(
    ca: Authority, start_master: Callable[..., Master], start_slave: Callable[..., Proc]
) -> None:
    master = tls_master(start_master, ca, mutual=True)
    start_slave(master, "s1", *dialling(ca, ca.client("s1")))
    cli = ca.client("cli")
    env = {"JOBFLEET_TOKEN": master.token, "JOBFLEET_TLS_CA": str(ca.pem)}

    ran = run(
        "jobfleet.cli.main",
        "run",
        "--master",
        master.addr,
        *["--tls-cert", str(cli.cert), "--tls-key", str(cli.key), "--nodes", "s1"],
        "echo via the cli",
        env=env,
    )
    refused_run = run(
        "jobfleet.cli.main", "run", "--master", master.addr, "--nodes", "s1", "true", env=env
    )

    assert ran.returncode == 0, ran.stderr
    assert "[s1] via the cli" in ran.stdout
    assert refused_run.returncode == 2, refused_run.stderr
    assert "jobfleet run: failed to connect" in refused_run.stderr
    assert "Traceback" not in refused_run.stderr


def test_plaintext_and_a_wrong_ca_cannot_reach_a_tls_master(
    ca: Authority,
    tmp_path: Path,
    start_master: Callable[..., Master],
    start_gateway: Callable[..., Gateway],
) -> None:
    master = tls_master(start_master, ca)
    wrong_ca = authority(tmp_path / "wrong", "wrong-ca")
    gateway = start_gateway(master, *dialling(wrong_ca))
    plaintext = Master(master.proc, master.addr, master.data_dir, token=master.token)

    with plaintext.channel() as channel, pytest.raises(grpc.RpcError) as plain_call:
        catalog_pb2_grpc.CatalogServiceStub(channel).ListSlaves(
            catalog_pb2.ListSlavesRequest(), timeout=10
        )
    with gateway.client() as http:
        tasks = http.get("/task/1")
        health = http.get("/health")

    assert plain_call.value.code() == grpc.StatusCode.UNAVAILABLE
    refusal(tasks, 503)  # OpenC3's route: a refusal under HTTP 200
    assert health.status_code == 503, health.text  # the probe: its true status
    assert attached(master) == set()  # the master itself still answers TLS clients


def test_a_certificate_made_for_another_name_needs_the_name_override(
    ca: Authority, start_master: Callable[..., Master], start_gateway: Callable[..., Gateway]
) -> None:
    named = ca.server_named("named", "master.example")
    tls = client_tls(Pem(ca.pem, "ca"), None, None, "master.example")
    master = start_master(*serving(named), tls=tls)

    plain = start_gateway(master, *dialling(ca))
    overridden = start_gateway(master, *dialling(ca), "--tls-server-name", "master.example")

    with plain.client() as http:
        checked_against_the_address = http.get("/health")
    with overridden.client() as http:
        checked_against_the_name = http.get("/health")

    assert checked_against_the_address.status_code == 503
    assert "Hostname" in checked_against_the_address.text
    assert checked_against_the_name.status_code == 200, checked_against_the_name.text


@pytest.mark.parametrize(
    ("module", "args", "message"),
    [
        ("master", ["--tls-cert", "{cert}"], "--tls-cert needs --tls-key"),
        ("master", ["--tls-key", "{key}"], "--tls-key needs --tls-cert"),
        ("master", ["--tls-ca", "{ca}"], "--tls-ca (mutual TLS) needs --tls-cert"),
        ("master", ["--tls-cert", "{cert}", "--tls-key", "{gone}"], "--tls-key: cannot read"),
        ("master", ["--tls-cert", "{key}", "--tls-key", "{key}"], "--tls-cert: no PEM cert"),
        ("master", ["--tls-cert", "{cert}", "--tls-key", "{other_key}"], "is not the key of"),
        (
            "master",
            ["--tls-cert", "{cert}", "--tls-key", "{key}", "--tls-ca", "{key}"],
            "--tls-ca: no PEM cert",
        ),
        ("slave", ["--master", "h:1", "--tls-cert", "{cert}"], "--tls-cert needs --tls-key"),
        ("slave", ["--master", "h:1", "--tls-ca", "{gone}"], "--tls-ca: cannot read"),
        ("gateway", ["--tls-ca", "{key}"], "--tls-ca: no PEM certificate"),
        ("gateway", ["--tls-server-name", "m.example"], "--tls-server-name (or JOBFLEET_TLS_SER"),
        ("jobfleet.cli.main", ["run", "--tls-key", "{key}", "--nodes", "n", "true"], "--tls-key"),
    ],
)
def test_bad_tls_flags_and_files_exit_2_naming_them(
    ca: Authority, tmp_path: Path, module: str, args: list[str], message: str
) -> None:
    server = ca.server()
    files = {
        "cert": server.cert,
        "key": server.key,
        "ca": ca.pem,
        "other_key": ca.client().key,
        "gone": tmp_path / "gone.pem",
    }
    data_dir = ["--data-dir", str(tmp_path / "data")] if module == "master" else []

    result = run(module, *data_dir, *(arg.format(**files) for arg in args))

    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
