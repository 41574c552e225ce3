"""What the master keeps on disk, read by someone who should not: the database holds no account
secret in clear (yet SSH through the account works across a restart), other users can open
none of the data dir, database, blobs or key, a loose, missing or foreign key stops the master
with the reason, and blobs nobody references any more are swept."""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg2
import pytest
from cryptography.fernet import Fernet

from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc
from tests.integration.conftest import (
    Databases,
    Gateway,
    Master,
    Proc,
    Processes,
    wait_attached,
)
from tests.integration.rest import submit, tasklog, wait_final
from tests.sshd import SshServer
from tests.waiting import wait_until

NOBODY = 65534


def create_account(master: Master, username: str, private_key: str, password: str) -> None:
    with master.channel() as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        request = catalog_pb2.CreateAccountRequest(
            project_id=1, username=username, private_key=private_key, password=password
        )
        stub.CreateAccount(request, timeout=10)


def stored_bytes(master: Master, databases: Databases) -> bytes:
    """Everything the database holds of the accounts, as someone with the files would see it:
    the SQLite file and its WAL byte for byte, or PostgreSQL's account rows."""
    if databases.backend == "sqlite":
        files = [master.data_dir / "jobfleet.db", master.data_dir / "jobfleet.db-wal"]
        return b"".join(f.read_bytes() for f in files if f.exists())
    with psycopg2.connect(databases.url_for(master.data_dir)) as conn, conn.cursor() as cur:
        cur.execute("SELECT * FROM account")
        return repr(cur.fetchall()).encode()


def key_lines(private_key: str) -> list[bytes]:
    """The key's base64 body lines (the secret part of the text)."""
    return [line.encode() for line in private_key.splitlines() if "-----" not in line and line]


def test_the_database_holds_no_account_secret_and_ssh_works_after_a_restart(
    sshd: SshServer,
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
    databases: Databases,
) -> None:
    master = start_master()
    start_slave(master, "s1")
    password = f"pw-{secrets.token_hex(12)}"
    private_key = sshd.client_key.value
    create_account(master, sshd.user, private_key, password)

    stored = stored_bytes(master, databases)
    assert master.proc.stop() == 0
    again = start_master("--listen", master.addr, data_dir=master.data_dir)
    wait_attached(again, "s1")
    with start_gateway(again).client() as http:
        node = {"name": "m1", "inip": sshd.host, "sshport": sshd.port}
        assert http.post("/nodelist/1", json=node).status_code == 200
        uuid = submit(http, "echo via $(id -un)", nodes="m1", user=sshd.user)
        done = wait_final(http, uuid)
        log = tasklog(http, uuid)["m1"]["log"]

    assert password.encode() not in stored
    assert [line for line in key_lines(private_key) if line in stored] == []
    assert b"enc:v1:" in stored  # the rows are there, sealed
    assert done["status"] == "success", done["reason"]
    assert log == f"via {sshd.user}\n"


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A directory every user may enter (so only the master's own modes keep them out)."""
    path = Path(tempfile.mkdtemp(prefix="jobfleet-at-rest-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    subprocess.run(["rm", "-rf", str(path)], check=False)


def as_nobody(*argv: str) -> tuple[int, str]:
    """Run a command as user nobody: (its exit code, its stderr)."""
    done = subprocess.run(argv, user=NOBODY, group=NOBODY, extra_groups=[], capture_output=True)
    return done.returncode, done.stderr.decode(errors="replace")


def upload(master: Master, name: str, data: bytes) -> str:
    """Store a file in project 1's file server; its sha256."""
    with master.channel() as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        first = catalog_pb2.UploadFileRequest(project_id=1, name=name, data=data, last=True)
        stub.UploadFile(iter([first]), timeout=10)
    return hashlib.sha256(data).hexdigest()


def test_other_users_can_open_nothing_the_master_keeps(
    open_dir: Path, start_master: Callable[..., Master], databases: Databases
) -> None:
    data = open_dir / "master"
    (data / "blobs" / "tmp").mkdir(parents=True, mode=0o755)  # as an older release left them
    (data / "blobs").chmod(0o755)
    master = start_master(data_dir=data)
    sha = upload(master, "notes.txt", b"for the master only\n")
    blob = data / "blobs" / sha[:2] / sha
    private = [data / "secrets.key", blob]
    if databases.backend == "sqlite":
        private += [data / "jobfleet.db", data / "jobfleet.db-wal"]

    listing = as_nobody("ls", str(data))
    reads = {path.name: as_nobody("cat", str(path))[0] for path in private}
    modes = {p.name: p.stat().st_mode & 0o777 for p in [data, data / "blobs", *private]}

    assert listing[0] != 0 and "Permission denied" in listing[1]
    assert all(code != 0 for code in reads.values()), reads
    assert modes == {
        "master": 0o700,
        "blobs": 0o700,
        **{p.name: 0o600 for p in private},
    }
    assert f"tightened data dir {data}" in master.proc.log.read_text()


def refused(processes: Processes, master: Master, name: str) -> tuple[int, str]:
    """Start the master again on its data dir; (its exit code, its log) once it gave up."""
    proc = processes.spawn(name, "master", master.args)
    try:
        code = proc.popen.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f"{name} kept running:\n{proc.tail()}") from None
    return code, proc.log.read_text()


def test_a_loose_missing_or_foreign_key_stops_the_master_with_the_reason(
    start_master: Callable[..., Master], processes: Processes, sshd: SshServer
) -> None:
    master = start_master()
    create_account(master, "deploy", sshd.client_key.value, "")
    assert master.proc.stop() == 0
    key = master.data_dir / "secrets.key"
    original = key.read_bytes()

    key.chmod(0o644)
    loose = refused(processes, master, "master-loose-key")
    key.chmod(0o600)
    key.rename(key.with_suffix(".moved"))
    missing = refused(processes, master, "master-missing-key")
    key.write_bytes(Fernet.generate_key())
    key.chmod(0o600)
    foreign = refused(processes, master, "master-foreign-key")
    key.write_bytes(original)
    back = start_master(data_dir=master.data_dir, name="master-key-restored")

    assert loose[0] == 1 and f"secrets key {key}: mode 0644 lets group/others at it" in loose[1]
    assert missing[0] == 1 and f"secrets key {key} is missing" in missing[1]
    assert "holds 1 account(s) with secrets sealed" in missing[1]
    assert foreign[0] == 1 and f"the secrets key {key} does not open" in foreign[1]
    assert back.proc.popen.poll() is None  # the right key opens what the refusals left alone


def test_unreferenced_blobs_and_stale_temp_files_are_swept(
    start_master: Callable[..., Master],
) -> None:
    master = start_master("--blob-grace", "1")
    blobs = master.data_dir / "blobs"
    kept = upload(master, "kept.txt", b"still named\n")
    dropped = upload(master, "dropped.txt", b"about to be deleted\n")
    stale = blobs / "tmp" / "upload-of-a-master-killed-mid-way"
    stale.write_bytes(b"partial")
    os.utime(stale, (time.time() - 60, time.time() - 60))
    with master.channel() as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        rows = stub.ListFiles(catalog_pb2.ListFilesRequest(project_id=1), timeout=10).files
        doomed = next(r.id for r in rows if r.name == "dropped.txt")
        stub.DeleteFile(catalog_pb2.DeleteFileRequest(project_id=1, id=doomed), timeout=10)

    gone = blobs / dropped[:2] / dropped
    wait_until(lambda: not gone.exists(), 30, what="the deleted file's blob swept")
    wait_until(lambda: not stale.exists(), 30, what="the stale temp file swept")

    # the sweep that took the dropped blob saw the kept one too, older than the grace by then
    assert (blobs / kept[:2] / kept).read_bytes() == b"still named\n"
    assert "file store sweep: freed 1 unreferenced blob(s)" in master.proc.log.read_text()
