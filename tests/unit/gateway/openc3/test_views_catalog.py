"""openc3.views.catalog and steps: catalogue rows and step hashes from constructed protos."""

from __future__ import annotations

from gateway.openc3.steps import parse_steps
from gateway.openc3.views import catalog as views
from gateway.openc3.views import steps as step_views
from jobfleet.v1 import catalog_pb2, common_pb2, task_pb2

T0 = 1704164645  # 2024-01-02 03:04:05 UTC
AUDIT_KEYS = ["create_user", "create_time", "edit_user", "edit_time"]


def make_audit() -> catalog_pb2.Audit:
    trail = catalog_pb2.Audit(create_user="ann", edit_user="bob")
    trail.create_time.seconds = T0
    return trail


CMD = {
    "plugin_type": "cmd",
    "name": "build",
    "user": "app",
    "node_type": "group",
    "node_cont": "web",
    "scripts_type": "perl",
    "scripts_cont": "print 1",
    "scripts_argv": "-x",
    "timeout": 9,
    "pause": "",
}
SCP = {
    "plugin_type": "scp",
    "name": "ship",
    "user": "app",
    "src_type": "fileserver",
    "src": "",
    "dst_type": "builtin",
    "dst": "n1,n2",
    "sp": "app.tgz",
    "dp": "/srv",
    "chown": "",
    "chmod": "644",
    "timeout": 60,
    "pause": "look",
}


def make_job() -> catalog_pb2.Job:
    steps = parse_steps({"data": [CMD, SCP]})
    steps[0].uuid, steps[1].uuid = "a1", "b2"
    return catalog_pb2.Job(
        id=3, uuid="j1", name="deploy", permanent=True, steps=steps, audit=make_audit()
    )


def test_job_row() -> None:
    row = views.job_row(make_job())

    assert list(row) == [
        "id",
        "uuid",
        "name",
        "permanent",
        *AUDIT_KEYS,
        "stepcount",
        "hasvariable",
    ]
    assert row["permanent"] == "permanent"
    assert row["stepcount"] == 2
    assert row["hasvariable"] == 0
    assert views.job_row(catalog_pb2.Job(needs_variables=True))["hasvariable"] == 1
    assert row["create_time"] == "2024-01-02 03:04:05"
    assert row["edit_time"] == ""
    assert views.job_row(catalog_pb2.Job())["permanent"] == "transient"


def test_job_detail_steps_round_trip_what_was_posted_plus_uuid() -> None:
    data = views.job_detail(make_job())["data"]

    unsent = {"deployenv": "", "action": "", "batches": ""}
    assert data == [{"uuid": "a1", **CMD, **unsent}, {"uuid": "b2", **SCP, **unsent}]
    assert parse_steps({"data": data}) == list(make_job().steps)


def test_planned_step_adds_the_resolved_nodes() -> None:
    planned = task_pb2.PlannedStep(step=make_job().steps[1], nodes=["n1", "n2"])

    hashed = step_views.planned_step(planned)

    assert hashed["name"] == "ship"
    assert hashed["plugin_type"] == "scp"
    assert hashed["nodes"] == ["n1", "n2"]
    assert hashed["dp"] == "/srv"


def test_unknown_step_kind_still_has_a_row() -> None:
    assert step_views.step_hash(common_pb2.Step(name="x")) == {
        "uuid": "",
        "plugin_type": "unknown",
        "name": "x",
        "pause": "",
        "deployenv": "",
        "action": "",
        "batches": "",
    }


def test_script_row() -> None:
    script = catalog_pb2.Script(
        id=1,
        project_id=7,
        name="s",
        type=common_pb2.SCRIPT_TYPE_PYTHON,
        content="print()",
        audit=make_audit(),
    )

    assert views.script_row(script) == {
        "id": 1,
        "projectid": 7,
        "name": "s",
        "type": "python",
        "cont": "print()",
        "create_user": "ann",
        "create_time": "2024-01-02 03:04:05",
        "edit_user": "bob",
        "edit_time": "",
    }


def test_machine_and_nodeinfo_rows() -> None:
    node = catalog_pb2.Node(id=2, name="n1", inip="10.0.0.1", slave="s1", agent=True, cloud_id=3)

    row = views.machine_row(node)

    keys = ["id", "name", "inip", "exip", "sshport", "slave", "bk_cloud_id", *AUDIT_KEYS]
    assert list(row) == keys
    assert (row["sshport"], row["bk_cloud_id"]) == (22, 3)
    assert views.nodeinfo_row(node)["agent"] is True
    assert views.machine_row(catalog_pb2.Node(ssh_port=2222))["sshport"] == 2222


def test_group_row() -> None:
    group = catalog_pb2.NodeGroup(id=4, name="web", plugin="list", params="n1,n2")

    assert list(views.group_row(group)) == ["id", "name", "plugin", "params", *AUDIT_KEYS]


def test_account_row_says_which_secrets_exist_never_what() -> None:
    account = catalog_pb2.Account(id=5, username="app", has_private_key=True)

    row = views.account_row(account)

    assert list(row) == ["id", "username", "has_key", "has_password", *AUDIT_KEYS]
    assert (row["has_key"], row["has_password"]) == (True, False)


def test_variable_rows() -> None:
    variable = catalog_pb2.Variable(
        id=6, job_uuid="j1", name="v", value="1", describe="d", option="a,b", env="test"
    )

    assert views.variable_row(variable) == {
        "id": 6,
        "name": "v",
        "value": "1",
        "describe": "d",
        "option": "a,b",
        "env": "test",
    }
    assert views.variable_prompt(variable) == {"name": "v", "describe": "d"}


def test_file_row() -> None:
    stored = catalog_pb2.StoredFile(
        id=4, project_id=1, name="app.tgz", size=12, sha256="ab" * 32, audit=make_audit()
    )

    assert views.file_row(stored) == {
        "id": 4,
        "name": "app.tgz",
        "size": 12,
        "sha256": "ab" * 32,
        "create_user": "ann",
        "create_time": "2024-01-02 03:04:05",
        "edit_user": "bob",
        "edit_time": "",
    }
