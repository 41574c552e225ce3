"""Between slaves, tried as an attacker would: a slave link gives no say over another slave's
work (reports and files count only from the slave the work went to), a name belongs to the
slave that enrolled it, a project token enrols a slave for that project only (it never gets
another project's work or SSH secrets), and an order a slave never receives fails instead of
coming back at every attach.

One master, gateway and real slave `s1` (serving every project) are shared by the module;
the attackers and the honest-but-idle slaves are stubs built from the generated code.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest

from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc
from tests.integration.conftest import Master, Services, credential_file, state_dir
from tests.integration.rest import refusal, submit, task, tasklog, wait_final
from tests.integration.rogue import StubSlave
from tests.waiting import wait_until

A, B = 1, 2
PEM = "-----{} OPENSSH PRIVATE KEY-----"
A_KEY = f"{PEM.format('BEGIN')}\nA-SECRET-KEY-MATERIAL\n{PEM.format('END')}\n"
A_PASSWORD = "A-secret-password"


@dataclass
class World:
    services: Services
    master: Master
    admin: httpx.Client
    b: httpx.Client
    """Project B's token."""
    b_token: str
    a_token: str


@pytest.fixture(scope="module")
def world(module_services: Services) -> Iterator[World]:
    master = module_services.start_master()
    module_services.start_slave(master, "s1")
    gateway = module_services.start_gateway(master)
    assert master.create_project("b") == B
    with gateway.client() as admin:
        made = admin.post(f"/token/{B}", json={"describe": "b"}).json()["data"]
        a_token = str(admin.post(f"/token/{A}", json={"describe": "a"}).json()["data"]["token"])
        for body in (
            {"name": "web1", "inip": "127.0.0.1", "sshport": 1},  # nothing listens there
            {"name": "web2", "inip": "127.0.0.1", "sshport": 1},
        ):
            assert admin.post(f"/nodelist/{A}", json=body).status_code == 200
        account = {"username": "deploy", "private_key": A_KEY, "password": A_PASSWORD}
        assert admin.post(f"/userlist/{A}", json=account).status_code == 200
        assert admin.post(f"/nodelist/{B}", json={"name": "bvm", "inip": "127.0.0.1", "sshport": 1})
        assert admin.post(f"/userlist/{B}", json={"username": "bops", "password": "b-pw"})
        with gateway.client(str(made["token"])) as b:
            yield World(module_services, master, admin, b, str(made["token"]), a_token)


def stub(world: World, name: str, **hello: Any) -> StubSlave:
    return StubSlave(world.master.addr, name, **hello)


def enrolled(world: World, name: str, **hello: Any) -> tuple[StubSlave, str]:
    """A stub slave enrolled with the join token (unless told otherwise), and its credential."""
    hello.setdefault("join_token", world.master.join_token)
    slave = stub(world, name, **hello)
    welcome = slave.welcome()
    assert welcome.credential
    return slave, welcome.credential


def test_reports_count_only_from_the_slave_the_work_went_to(world: World) -> None:
    victim, victim_credential = enrolled(world, "v1")
    attacker, attacker_credential = enrolled(world, "evil")
    try:
        uuid = submit(world.admin, "echo real", nodes="v1", name="a's job")
        run = victim.next_of("run").run
        assert run.project_id == A

        # The attacker reports output and success for A's execution, which it never got.
        attacker.output(run.execution_id, 0, b"forged output\n")
        attacker.result(run.execution_id, 1)
        attacker.next_of("result_ack")  # its reports were read (and dropped)
        assert task(world.admin, uuid)["status"] == "running"
        assert tasklog(world.admin, uuid, "v1")["v1"]["log"] == ""

        # The slave that got the work reports; that counts.
        victim.output(run.execution_id, 0, b"real\n")
        victim.result(run.execution_id, 1)
        assert wait_final(world.admin, uuid)["status"] == "success"
        assert tasklog(world.admin, uuid, "v1")["v1"]["log"] == "real\n"
    finally:
        victim.close()
        attacker.close()
    log = world.master.proc.log.read_text()
    dropped = "slave evil sent reports for execution(s) not dispatched to it, dropped"
    assert f"{dropped}: {run.execution_id}" in log


def test_a_copy_takes_bytes_only_from_the_slave_that_fetched(world: World, tmp_path: Path) -> None:
    victim, victim_credential = enrolled(world, "v2")
    attacker, attacker_credential = enrolled(world, "evil2")
    target = tmp_path / "placed.txt"
    try:
        body: dict[str, object] = {"name": "ship", "src_type": "builtin", "src": "v2"}
        body |= {"sp": "/etc/app.conf", "dst_type": "builtin", "dst": "s1", "dp": str(target)}
        reply = world.admin.post(f"/task/{A}/plugin_scp", json=body)
        uuid = reply.json()["uuid"]
        fetch = victim.next_of("copy").copy
        assert fetch.WhichOneof("action") == "fetch" and fetch.project_id == A

        # The attacker can neither store bytes for A's fetch nor report it done with its blob.
        with pytest.raises(grpc.RpcError) as refused:
            attacker.upload(attacker_credential, fetch.execution_id, b"attacker bytes")
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
        forged = attacker.upload(world.master.token, 0, b"attacker bytes")  # a blob in the store
        attacker.result(fetch.execution_id, 0, fetched=forged)
        attacker.next_of("result_ack")
        assert task(world.admin, uuid)["status"] == "running"

        real = victim.upload(victim_credential, fetch.execution_id, b"the real config\n")
        victim.result(fetch.execution_id, 0, fetched=real)
        assert wait_final(world.admin, uuid)["status"] == "success"
        assert target.read_bytes() == b"the real config\n"
        # The place is over: its blob is no longer the victim's to read.
        with pytest.raises(grpc.RpcError) as late:
            victim.download(victim_credential, real.sha256, fetch.execution_id)
        assert late.value.code() == grpc.StatusCode.PERMISSION_DENIED
    finally:
        victim.close()
        attacker.close()


def test_a_project_token_enrols_a_slave_that_never_sees_another_projects_work(
    world: World,
) -> None:
    # B's owners bring slaves of their own, one named first in line, one named like A's machine.
    first, _ = enrolled(world, "aaa-b", join_token=world.b_token)
    lookalike, _ = enrolled(world, "web1", join_token=world.b_token)
    try:
        with pytest.raises(grpc.RpcError) as wider:
            stub(world, "bbb-b", join_token=world.b_token, projects=(A, B)).welcome()
        assert wider.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert "may serve project(s) 2 only, not 1" in (wider.value.details() or "")
        with pytest.raises(grpc.RpcError) as admin:
            stub(world, "ccc-b", join_token=world.master.token).welcome()
        assert admin.value.code() == grpc.StatusCode.PERMISSION_DENIED

        # A's commands over SSH (web1, web2) and A's command on the B slave by name.
        uuid = submit(world.admin, "true", nodes="web1,web2", user="deploy", name="a's ssh")
        done = wait_final(world.admin, uuid)
        assert {n["node"]: n["slave"] for n in done["nodes"]} == {"web1": "s1", "web2": "s1"}
        # To A, B's slave is no machine at all.
        body = {"name": "x", "node_cont": "aaa-b", "scripts_cont": "id"}
        direct = world.admin.post(f"/task/{A}/plugin_cmd", json=body)
        refusal(direct, 400, "unknown node(s): aaa-b")

        # B's own work does reach B's slaves: they were attached and listening all along.
        mine = submit(world.b, "echo b", nodes="aaa-b", project=B)
        assert first.next_of("run").run.project_id == B
        assert mine
        for slave in (first, lookalike):
            for message in slave.received():
                text = str(message)
                assert A_PASSWORD not in text and "A-SECRET-KEY-MATERIAL" not in text
                assert message.WhichOneof("body") not in ("run", "copy") or (
                    getattr(message, message.WhichOneof("body")).project_id == B
                )

        # Each project lists the slaves that serve it.
        listed_b = {s["name"] for s in slaves_of(world, world.b_token)}
        listed_a = {s["name"] for s in slaves_of(world, world.a_token)}
        assert {"aaa-b", "web1", "s1"} <= listed_b
        assert "s1" in listed_a and not {"aaa-b", "web1"} & listed_a
    finally:
        first.close()
        lookalike.close()


def slaves_of(world: World, token: str) -> list[dict[str, object]]:
    """ListSlaves as seen with a token ("" = the admin's)."""
    with world.master.channel(token or None) as channel:
        reply = catalog_pb2_grpc.CatalogServiceStub(channel).ListSlaves(
            catalog_pb2.ListSlavesRequest(), timeout=10
        )
    return [{"name": s.name, "projects": list(s.projects)} for s in reply.slaves]


def test_a_name_belongs_to_the_slave_that_enrolled_it(world: World) -> None:
    uuid = submit(world.admin, "sleep 2; echo still mine", nodes="s1", name="long")
    impostor = stub(world, "s1", join_token=world.master.join_token)
    refused = impostor.refusal()
    assert refused.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "enrolled to another slave" in (refused.details() or "")
    done = wait_final(world.admin, uuid)
    assert done["status"] == "success"
    assert tasklog(world.admin, uuid)["s1"]["log"] == "still mine\n"


def test_a_first_enrolment_whose_welcome_was_lost_is_done_for_that_slave_alone(
    world: World,
) -> None:
    """The slave makes its credential before it dials; its master dies once the enrolment is
    written, before the Welcome reaches the slave (here: the slave never reads it). Tried again
    on any master, that slave is in; no one else gets the name, with or without the token."""
    mine = secrets.token_urlsafe(32)
    join = world.master.join_token
    lost = stub(world, "cut", join_token=join, credential=mine, instance="cut-process")
    lost.welcome()  # what the slave would have read: it never does, its stream is cut
    lost.close()

    rogues = [
        stub(world, "cut", join_token=join),
        stub(world, "cut", join_token=join, credential=secrets.token_urlsafe(32)),
    ]
    refused = [rogue.refusal() for rogue in rogues]
    again = stub(world, "cut", join_token=join, credential=mine, instance="cut-process")
    welcome = again.welcome()
    submit(world.admin, "echo reached", nodes="cut", name="after the cut")
    run = again.next_of("run").run

    for refusal_ in refused:
        assert refusal_.code() == grpc.StatusCode.PERMISSION_DENIED
        assert "enrolled to another slave" in (refusal_.details() or "")
    assert welcome.credential == ""  # nothing new: it holds its credential already
    assert run.script == "echo reached"
    again.close()


def test_a_credential_a_slave_makes_too_short_is_refused_and_enrols_nothing(
    world: World,
) -> None:
    weak = stub(world, "weak", join_token=world.master.join_token, credential="abc")
    refused = weak.refusal()
    strong, credential = enrolled(world, "weak", credential=secrets.token_urlsafe(32))

    assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "credential" in (refused.details() or "")
    assert credential  # the name was still free
    strong.close()


def test_a_second_process_under_a_name_waits_while_the_first_works(world: World) -> None:
    services = world.services
    first = services.start_slave(world.master, "twin")
    clone_state = services.processes.tmp / "twin-clone-state"
    credential_file(services.processes, "twin")
    shutil.copytree(state_dir(services.processes, "twin"), clone_state)  # a cloned machine
    clone = services.start_slave(world.master, "twin", "--state-dir", str(clone_state), wait=False)
    wait_until(lambda: "is attached already" in clone.log.read_text(), 30, what="the clone refused")
    uuids = [submit(world.admin, f"echo {i}", nodes="twin", name=f"n{i}") for i in range(25)]
    finals = [wait_final(world.admin, uuid) for uuid in uuids]
    assert [f["status"] for f in finals] == ["success"] * 25
    assert "dropping its previous stream" not in world.master.proc.log.read_text()
    first.stop()
    wait_until(lambda: "attached to master" in clone.log.read_text(), 60, what="clone attached")
    assert wait_final(world.admin, submit(world.admin, "echo 2nd", nodes="twin"))["status"] == (
        "success"
    )
    clone.stop()


def test_an_order_the_slave_never_receives_fails_instead_of_coming_back(world: World) -> None:
    slave, credential = enrolled(world, "flaky")
    uuid = submit(world.admin, "echo hi", nodes="flaky", name="undelivered")
    execution = slave.next_of("run").run.execution_id
    for _ in range(3):  # the slave drops the stream before starting it, every time
        slave.close()
        slave = stub(world, "flaky", credential=credential)
        slave.welcome()
        assert slave.next_of("run").run.execution_id == execution
    slave.close()
    slave = stub(world, "flaky", credential=credential)
    slave.welcome()
    done = wait_final(world.admin, uuid)
    slave.close()
    assert done["status"] == "fail"
    assert "re-attached 3 times without receiving it" in done["nodes"][0]["reason"]


def test_a_master_off_loopback_needs_a_join_token_or_mutual_tls(tmp_path: Path) -> None:
    started = subprocess.run(
        [sys.executable, "-m", "master", "--listen", "0.0.0.0:0", "--data-dir", str(tmp_path)],
        env={"PATH": "/usr/bin:/bin", "JOBFLEET_ADMIN_TOKEN": "a" * 32},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 2
    assert "without a join token" in started.stderr and "--tls-ca" in started.stderr
    assert not (tmp_path / "jobfleet.db").exists()


def test_an_enrolled_slave_keeps_its_name_across_restarts(world: World) -> None:
    services = world.services
    proc = services.start_slave(world.master, "keeper")
    kept = credential_file(services.processes, "keeper")
    credential = kept.read_text()
    assert oct(kept.stat().st_mode)[-3:] == "600"
    proc.stop()
    # Started again without any join token: its credential alone lets it in.
    again = services.start_slave(world.master, "keeper", env={"JOBFLEET_JOIN_TOKEN": ""})
    done = wait_final(world.admin, submit(world.admin, "echo back", nodes="keeper"))
    assert done["status"] == "success"
    assert credential.strip() not in world.master.proc.log.read_text()
    assert credential.strip() not in again.log.read_text()
    again.stop()
