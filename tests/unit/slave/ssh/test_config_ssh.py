"""SSH settings: flags > environment > defaults, bad values named; SshTarget from protobuf."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobfleet.v1 import common_pb2, slave_pb2
from slave import convert
from slave.cli import build_parser
from slave.config import ConfigError, load_config
from slave.messages import HostKeyPolicy, RunRequest, Secret, SshTarget


def test_defaults() -> None:
    config = load_config({"master": "h:1"}, {})
    assert config.max_ssh_sessions == 64
    assert config.ssh_host_key_policy is HostKeyPolicy.ACCEPT_NEW
    assert config.ssh_known_hosts is None  # = ~/.ssh/known_hosts
    assert config.ssh_idle_timeout == 60.0


def test_flags_beat_the_environment() -> None:
    args = build_parser().parse_args(
        ["--master", "h:1", "--max-ssh-sessions", "8", "--ssh-host-key-policy", "strict"]
    )
    env = {
        "JOBFLEET_SLAVE_MAX_SSH_SESSIONS": "16",
        "JOBFLEET_SLAVE_SSH_KNOWN_HOSTS": "/etc/jobfleet/known_hosts",
        "JOBFLEET_SLAVE_SSH_HOST_KEY_POLICY": "accept-new",
    }
    config = load_config(vars(args), env)
    assert config.max_ssh_sessions == 8
    assert config.ssh_host_key_policy is HostKeyPolicy.STRICT
    assert config.ssh_known_hosts == Path("/etc/jobfleet/known_hosts")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"JOBFLEET_SLAVE_MAX_SSH_SESSIONS": "0"}, "JOBFLEET_SLAVE_MAX_SSH_SESSIONS (environment)"),
        ({"JOBFLEET_SLAVE_MAX_SSH_SESSIONS": "many"}, "'many' is not a whole number"),
        ({"JOBFLEET_SLAVE_SSH_HOST_KEY_POLICY": "yolo"}, "'yolo' is not a host key policy"),
    ],
)
def test_bad_values_name_the_key_and_the_source(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", "\\(").replace(")", "\\)")):
        load_config({"master": "h:1"}, env)


def test_ssh_target_from_protobuf_with_defaults_and_hidden_secrets() -> None:
    proto = slave_pb2.MasterMessage(
        run=slave_pb2.RunCommand(
            execution_id=5,
            script_type=common_pb2.SCRIPT_TYPE_SHELL,
            script="true",
            ssh=slave_pb2.SshTarget(
                node="web3",
                host="10.0.0.3",
                user="deploy",
                password="pw-secret",
                host_key_policy=slave_pb2.HOST_KEY_POLICY_STRICT,
            ),
        )
    )
    request = convert.from_proto(proto)
    assert isinstance(request, RunRequest) and request.command == "run-ssh"
    assert request.ssh == SshTarget(
        node="web3",
        host="10.0.0.3",
        port=22,
        user="deploy",
        password=Secret("pw-secret"),
        host_key_policy=HostKeyPolicy.STRICT,
        connect_timeout=10.0,
    )
    assert "pw-secret" not in repr(request)
    assert request.ssh.label == "ssh web3 (10.0.0.3:22)"


def test_run_without_ssh_stays_local() -> None:
    proto = slave_pb2.MasterMessage(run=slave_pb2.RunCommand(execution_id=5, script="true"))
    request = convert.from_proto(proto)
    assert isinstance(request, RunRequest)
    assert (request.ssh, request.command) == (None, "run")


def test_unspecified_policy_falls_back_to_the_slave_default() -> None:
    ssh = slave_pb2.SshTarget(host="h", port=2222, private_key="k", connect_timeout={"nanos": 5})
    request = convert.from_proto(slave_pb2.MasterMessage(run=slave_pb2.RunCommand(ssh=ssh)))
    assert isinstance(request, RunRequest) and request.ssh is not None
    assert (request.ssh.port, request.ssh.host_key_policy) == (2222, None)
    assert request.ssh.connect_timeout == pytest.approx(5e-9)
    assert request.ssh.private_key == Secret("k") and request.ssh.password is None
