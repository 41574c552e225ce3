"""config: flags > environment > defaults; a bad value names its key and source."""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

import pytest

from gateway.config import ConfigError, GatewayConfig, load_config


class Flags(TypedDict, total=False):
    """The command-line values load_config takes as text."""

    master: str
    listen: str
    ready_file: str
    max_upload_bytes: str
    session_cookie: str


def test_defaults() -> None:
    config = load_config({})

    assert config == GatewayConfig()
    assert config.listen == "127.0.0.1:8080"
    assert config.max_body_bytes == 1 << 20
    assert config.max_upload_bytes == 1 << 30
    assert config.session_cookie == "sid"


def test_session_cookie_flag_beats_environment() -> None:
    env = {"JOBFLEET_GATEWAY_SESSION_COOKIE": "c3sid"}

    assert load_config(env).session_cookie == "c3sid"
    assert load_config(env, session_cookie="JSESSIONID").session_cookie == "JSESSIONID"


def test_max_upload_bytes_flag_beats_environment() -> None:
    env = {"JOBFLEET_GATEWAY_MAX_UPLOAD_BYTES": "2048"}

    assert load_config(env).max_upload_bytes == 2048
    assert load_config(env, max_upload_bytes="4096").max_upload_bytes == 4096


def test_flags_beat_environment_which_beats_defaults() -> None:
    env = {"JOBFLEET_MASTER": "m.env:1", "JOBFLEET_GATEWAY_LISTEN": "0.0.0.0:9000"}

    from_env = load_config(env)
    from_flags = load_config(env, master="m.flag:2", listen="127.0.0.1:0", ready_file="r.json")

    assert (from_env.master, from_env.listen) == ("m.env:1", "0.0.0.0:9000")
    assert (from_flags.master, from_flags.listen_port) == ("m.flag:2", 0)
    assert from_flags.ready_file == Path("r.json")


def test_several_masters() -> None:
    config = load_config({"JOBFLEET_MASTER": "a:7070,[::1]:7071"})

    assert config.master == "a:7070,[::1]:7071"
    assert config.masters == ("a:7070", "[::1]:7071")


def test_ipv6_addresses() -> None:
    config = load_config({}, master="[::1]:7070", listen="[::1]:0")

    assert config.master == "[::1]:7070"
    assert config.listen_host == "::1"
    assert config.listen == "[::1]:0"


@pytest.mark.parametrize(
    ("env", "flags", "named"),
    [
        ({}, {"master": "nohost"}, "master (--master)"),
        ({}, {"master": "h:0"}, "master (--master)"),
        ({}, {"master": "a:1,b"}, "master (--master): 'b' is not HOST:PORT"),
        ({"JOBFLEET_MASTER": "a:1,"}, {}, "master (JOBFLEET_MASTER): 'a:1,' has an empty entry"),
        ({"JOBFLEET_MASTER": "h:x"}, {}, "master (JOBFLEET_MASTER)"),
        ({"JOBFLEET_GATEWAY_LISTEN": ":80"}, {}, "listen (JOBFLEET_GATEWAY_LISTEN)"),
        ({}, {"listen": "h:70000"}, "listen (--listen)"),
        ({}, {"max_upload_bytes": "1G"}, "max-upload-bytes (--max-upload-bytes)"),
        ({}, {"max_upload_bytes": "0"}, "max-upload-bytes (--max-upload-bytes)"),
        (
            {"JOBFLEET_GATEWAY_MAX_UPLOAD_BYTES": "-5"},
            {},
            "max-upload-bytes (JOBFLEET_GATEWAY_MAX_UPLOAD_BYTES)",
        ),
        ({}, {"session_cookie": "my sid"}, "session-cookie (--session-cookie)"),
        ({}, {"session_cookie": "sid;"}, "session-cookie (--session-cookie)"),
        ({}, {"session_cookie": "a=b"}, "session-cookie (--session-cookie)"),
        ({}, {"session_cookie": "sitzung-ö"}, "session-cookie (--session-cookie)"),
        (
            {"JOBFLEET_GATEWAY_SESSION_COOKIE": "(sid)"},
            {},
            "session-cookie (JOBFLEET_GATEWAY_SESSION_COOKIE)",
        ),
    ],
)
def test_bad_values_name_key_and_source(env: dict[str, str], flags: Flags, named: str) -> None:
    with pytest.raises(ConfigError, match=named.replace("(", r"\(").replace(")", r"\)")):
        load_config(env, **flags)
