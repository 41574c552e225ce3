"""jobfleet.tls: client settings merge flags over the environment; nothing set is plaintext;
key material never shows in a repr; each process's config carries what it read."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config import load_config as gateway_config
from jobfleet.tls import Pem, client_tls_from, server_tls
from slave.config import load_config as slave_config
from tests.certs import Authority, authority


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return authority(tmp_path_factory.mktemp("pki"))


def test_nothing_set_is_plaintext() -> None:
    assert client_tls_from({"tls_ca": None}, {}) is None


def test_flags_win_over_the_environment(ca: Authority, tmp_path: Path) -> None:
    client = ca.client()
    env = {"JOBFLEET_TLS_CA": str(tmp_path / "absent.pem"), "JOBFLEET_TLS_SERVER_NAME": "m.example"}

    tls = client_tls_from(
        {"tls_ca": str(ca.pem), "tls_cert": str(client.cert), "tls_key": str(client.key)}, env
    )

    assert tls is not None
    assert tls.ca == ca.pem.read_bytes() and tls.key == client.key.read_bytes()
    assert tls.options() == [("grpc.ssl_target_name_override", "m.example")]


def test_key_material_never_shows_in_a_repr(ca: Authority) -> None:
    pair = ca.server()
    server = server_tls(Pem(pair.cert, "--tls-cert"), Pem(pair.key, "--tls-key"), None)
    client = client_tls_from({"tls_ca": str(ca.pem)}, {})

    assert "PRIVATE" not in repr(server) and "CERTIFICATE" not in repr(client)


def test_the_slave_and_gateway_configs_carry_tls(ca: Authority) -> None:
    env = {"JOBFLEET_TLS_CA": str(ca.pem)}

    slave = slave_config({"master": "m:1"}, env)
    gateway = gateway_config(env, tls_flags={"tls_server_name": "m.example"})

    assert slave.tls is not None and slave.tls.ca == ca.pem.read_bytes()
    assert gateway.tls is not None and gateway.tls.server_name == "m.example"
