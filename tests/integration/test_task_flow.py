"""A command's life over REST: output, exit codes, several slaves, failure, timeout, script
types, big output, form fields."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from tests.integration.conftest import Cluster, Gateway, Master, Proc
from tests.integration.rest import submit, task, tasklog, wait_final


def test_output_and_exit_code_arrive(cluster: Cluster) -> None:
    uuid = submit(cluster.http, "echo hello; echo to-stderr >&2; exit 0", name="greet")

    done = wait_final(cluster.http, uuid)

    assert done["status"] == "success"
    assert [(n["node"], n["status"], n["exitcode"]) for n in done["nodes"]] == [
        ("s1", "success", 0)
    ]
    assert done["name"] == "greet" and done["starttime"] and done["finishtime"]
    assert tasklog(cluster.http, uuid)["s1"]["log"] == "hello\nto-stderr\n"


def test_task_uuid_is_alphanumeric_and_listed(cluster: Cluster) -> None:
    uuid = submit(cluster.http, "true", name="listed-task")

    wait_final(cluster.http, uuid)
    rows = cluster.http.get("/task/1", params={"name": "listed"}).json()["data"]

    assert uuid.isalnum()
    assert [(r["uuid"], r["slave"]) for r in rows] == [(uuid, "s1")]
    assert set(rows[0]) >= {
        "id",
        "uuid",
        "name",
        "user",
        "slave",
        "status",
        "starttime",
        "finishtime",
        "calltype",
        "jobtype",
        "jobuuid",
        "runtime",
        "mutex",
        "reason",
        "variable",
    }


def test_two_slaves_each_run_their_node(
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
) -> None:
    master = start_master()
    start_slave(master, "alpha")  # runs work as root
    start_slave(master, "beta", "--run-as", "nobody")
    with start_gateway(master).client() as http:
        uuid = submit(http, "id -un", nodes="alpha,beta")

        done = wait_final(http, uuid)
        logs = tasklog(http, uuid, slave="alpha")

    assert done["status"] == "success"
    assert {n: row["log"] for n, row in logs.items()} == {"alpha": "root\n", "beta": "nobody\n"}
    assert {n["node"]: n["slave"] for n in done["nodes"]} == {"alpha": "alpha", "beta": "beta"}


def test_failing_command_fails_the_task(cluster: Cluster) -> None:
    uuid = submit(cluster.http, "echo partial; exit 3")

    done = wait_final(cluster.http, uuid)

    assert done["status"] == "fail"
    assert done["nodes"][0]["exitcode"] == 3
    assert "s1" in done["reason"]
    assert tasklog(cluster.http, uuid)["s1"]["log"] == "partial\n"


def test_timeout_kills_the_command_and_marks_it(cluster: Cluster) -> None:
    uuid = submit(cluster.http, "echo begun; sleep 30; echo never", timeout=1)

    done = wait_final(cluster.http, uuid, timeout=20)

    assert done["status"] == "fail"
    assert done["nodes"][0]["status"] == "timeout"
    assert tasklog(cluster.http, uuid)["s1"]["log"] == "begun\n"


def test_python_and_perl_get_their_arguments(cluster: Cluster) -> None:
    py = submit(
        cluster.http,
        "import sys; print('py', sys.argv[1:])",
        scripts_type="python",
        scripts_argv="one 'two words'",
    )
    pl = submit(cluster.http, 'print "pl @ARGV\\n";', scripts_type="perl", scripts_argv="a b")

    assert wait_final(cluster.http, py)["status"] == "success"
    assert wait_final(cluster.http, pl)["status"] == "success"
    assert tasklog(cluster.http, py)["s1"]["log"] == "py ['one', 'two words']\n"
    assert tasklog(cluster.http, pl)["s1"]["log"] == "pl a b\n"


def test_variables_substitute_into_script_and_arguments(cluster: Cluster) -> None:
    uuid = submit(
        cluster.http,
        'echo "${greeting} $1"',
        scripts_argv="${who}",
        variable={"greeting": "hi", "who": "operator"},
    )

    wait_final(cluster.http, uuid)

    assert tasklog(cluster.http, uuid)["s1"]["log"] == "hi operator\n"


def test_form_fields_are_accepted(cluster: Cluster) -> None:
    resp = cluster.http.post(
        "/task/1/plugin_cmd",
        data={
            "name": "form",
            "node_type": "builtin",
            "node_cont": "s1",
            "scripts_type": "shell",
            "scripts_cont": "echo from-form",
            "variable": '{"x": "1"}',
        },
    )

    assert resp.status_code == 200, resp.text
    uuid = resp.json()["uuid"]
    assert wait_final(cluster.http, uuid)["status"] == "success"
    assert tasklog(cluster.http, uuid)["s1"]["log"] == "from-form\n"


def test_twenty_megabytes_of_output_arrive_intact(cluster: Cluster) -> None:
    script = (
        "import hashlib, sys\n"
        "h = hashlib.sha256()\n"
        "for i in range(200_000):\n"
        "    line = ('%08d ' % i + 'x' * 90 + '\\n').encode()\n"
        "    sys.stdout.buffer.write(line)\n"
    )
    expected = b"".join(f"{i:08d} {'x' * 90}\n".encode() for i in range(200_000))

    uuid = submit(cluster.http, script, scripts_type="python", timeout=120)
    done = wait_final(cluster.http, uuid, timeout=120)
    log = tasklog(cluster.http, uuid)["s1"]["log"].encode()

    assert done["status"] == "success"
    assert len(expected) == 20_000_000
    assert hashlib.sha256(log).hexdigest() == hashlib.sha256(expected).hexdigest()


def test_unknown_task_answers_norun(cluster: Cluster) -> None:
    assert task(cluster.http, "0123456789abcdef") == {"status": "norun"}
