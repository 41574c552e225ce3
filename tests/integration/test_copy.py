"""File copies: from the file server and from a machine, to machines over SSH and to slaves;
exact bytes, owner and mode; the store keeps uploads inside it."""

from __future__ import annotations

import hashlib
import os
import pwd
import re
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import Gateway, Master, Proc
from tests.integration.rest import FINAL, task, tasklog, true_status, wait_final
from tests.sshd import SshServer
from tests.throttle import throttled_proxy
from tests.waiting import wait_until

MB = 1 << 20


@pytest.fixture
def http(
    sshd: SshServer,
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
) -> Iterator[httpx.Client]:
    """A master, slave s1, a gateway; machines m1..m3 reached over SSH as root."""
    master = start_master()
    start_slave(master, "s1")
    with start_gateway(master).client() as client:
        assert client.post(
            "/userlist/1", json={"username": "root", "private_key": sshd.client_key.value}
        ).json()["stat"], "the account is saved"
        for name in ("m1", "m2", "m3"):
            resp = client.post(
                "/nodelist/1", json={"name": name, "inip": sshd.host, "sshport": sshd.port}
            )
            assert resp.status_code == 200, resp.text
        yield client


def big_file(path: Path, megabytes: int) -> str:
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for _ in range(megabytes):
            block = os.urandom(MB)
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while block := src.read(MB):
            digest.update(block)
    return digest.hexdigest()


def copy(http: httpx.Client, **fields: str) -> str:
    body = {"name": "copy", "user": "root", "chown": "", "chmod": "", "timeout": "300", **fields}
    resp = http.post("/task/1/plugin_scp", json=body)
    assert resp.status_code == 200, resp.text
    return str(resp.json()["uuid"])


def test_two_hundred_megabytes_from_the_store_to_three_machines(
    http: httpx.Client, tmp_path: Path
) -> None:
    source = tmp_path / "release.bin"
    digest = big_file(source, 200)
    with source.open("rb") as upload:
        resp = http.post("/fileserver/1", files={"file": ("release.bin", upload)}, timeout=300)
    assert resp.status_code == 200, resp.text
    dest = tmp_path / "dest"

    uuid = copy(
        http,
        src_type="fileserver",
        src="",
        sp="release.bin",
        dst_type="builtin",
        dst="m1,m2,m3",
        dp=f"{dest}/release.bin",  # the three machines share this host: one path
        chown="nobody",
        chmod="0640",
    )
    done = wait_final(http, uuid, timeout=300)

    assert done["status"] == "success", done["reason"]
    target = dest / "release.bin"
    assert sorted(n["node"] for n in done["nodes"] if n["status"] == "success") == [
        "m1",
        "m2",
        "m3",
    ]
    assert sha256(target) == digest
    assert (target.stat().st_mode & 0o777, pwd.getpwuid(target.stat().st_uid).pw_name) == (
        0o640,
        "nobody",
    )
    assert "200" in tasklog(http, uuid, slave="s1")["m1"]["log"]


def test_machine_to_machine_copy_of_a_directory(http: httpx.Client, tmp_path: Path) -> None:
    tree = tmp_path / "conf"
    (tree / "sub").mkdir(parents=True)
    (tree / "a.txt").write_text("alpha\n")
    (tree / "sub" / "b.txt").write_text("beta\n")
    dest = tmp_path / "copied"

    uuid = copy(
        http,
        src_type="builtin",
        src="s1",
        sp=str(tree),
        dst_type="builtin",
        dst="m2",
        dp=str(dest),
        chmod="0750",
    )
    done = wait_final(http, uuid, timeout=120)

    assert done["status"] == "success", done["reason"]
    assert (dest / "a.txt").read_text() == "alpha\n"
    assert (dest / "sub" / "b.txt").read_text() == "beta\n"


def test_a_missing_source_fails_with_a_clear_message(http: httpx.Client, tmp_path: Path) -> None:
    uuid = copy(
        http,
        src_type="builtin",
        src="s1",
        sp=str(tmp_path / "nope.txt"),
        dst_type="builtin",
        dst="m1",
        dp=str(tmp_path / "out.txt"),
    )
    done = wait_final(http, uuid, timeout=60)

    assert done["status"] == "fail"
    failed = [n for n in done["nodes"] if n["status"] != "success"]
    assert failed and "nope.txt" in failed[0]["reason"]
    assert not (tmp_path / "out.txt").exists()


@pytest.mark.parametrize("name", ["../escape.txt", "a/b.txt", ".hidden", ""])
def test_upload_names_cannot_escape_the_store(http: httpx.Client, name: str) -> None:
    resp = http.post("/fileserver/1", files={"file": (name, b"data")})

    assert 400 <= true_status(resp) < 500, resp.text
    assert resp.json()["stat"] is False
    assert http.get("/fileserver/1").json()["data"] == []


def test_a_copy_rides_out_master_restarts_mid_fetch_and_mid_place(
    sshd: SshServer,
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
    tmp_path: Path,
) -> None:
    """Over a slow link (so each transfer lasts seconds), the master is SIGKILLed while the
    fetch uploads and again while the place downloads: the upload starts again, the download
    goes on from the byte it reached, and the file arrives whole."""
    master = start_master()
    start_slave(master, "s1")
    source, dest = tmp_path / "big.bin", tmp_path / "dest" / "big.bin"
    digest = big_file(source, 32)  # far more than the place buffers ahead of its writes
    with throttled_proxy(sshd.port, rate=8e6) as port, start_gateway(master).client() as http:
        http.post("/userlist/1", json={"username": "root", "private_key": sshd.client_key.value})
        for name in ("slow1", "slow2"):
            http.post("/nodelist/1", json={"name": name, "inip": sshd.host, "sshport": port})
        uuid = copy(http, src_type="builtin", src="slow1", sp=str(source), dst_type="builtin",
                    dst="slow2", dp=str(dest))  # fmt: skip

        for node in ("slow1", "slow2"):  # the fetch, then the place
            wait_until(lambda: mid_way(http, uuid, node), 60, what=f"{node} mid-way")
            master.proc.popen.send_signal(signal.SIGKILL)
            master.proc.popen.wait()
            master = start_master("--listen", master.addr, data_dir=master.data_dir)
        done = wait_final(http, uuid, timeout=180)
        fetched, placed = node_log(http, uuid, "slow1"), node_log(http, uuid, "slow2")

    assert done["status"] == "success", (done["reason"], fetched, placed)
    assert sha256(dest) == digest
    assert "uploading again from the start" in fetched
    resumed = re.search(r"resumed the download at byte (\d+)", placed)
    assert resumed and 0 < int(resumed[1]) < 32 * MB, placed


def mid_way(http: httpx.Client, uuid: str, node: str) -> bool:
    """Whether the node's transfer has printed a progress line (failing once the task ended)."""
    assert task(http, uuid)["status"] not in FINAL, task(http, uuid)
    return "%)" in node_log(http, uuid, node)


def node_log(http: httpx.Client, uuid: str, node: str) -> str:
    row = tasklog(http, uuid, slave="s1").get(node)
    return str(row["log"]) if row else ""
