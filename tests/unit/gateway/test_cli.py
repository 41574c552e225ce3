"""cli: the real entry point as a process; no master needed for what is checked here."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def gateway(*args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "gateway", "--master", "127.0.0.1:9", *args]
    return subprocess.Popen(command, env=ENV, stderr=subprocess.PIPE, text=True)


def wait_for(path: Path, proc: subprocess.Popen[str], seconds: float = 20) -> dict[str, str]:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "no ready file"
        time.sleep(0.05)
    ready: dict[str, str] = json.loads(path.read_text())
    return ready


def test_port_zero_ready_file_and_sigterm_exits_zero(tmp_path: Path) -> None:
    ready_file = tmp_path / "gateway.json"
    proc = gateway("--listen", "127.0.0.1:0", "--ready-file", str(ready_file))
    try:
        listen = wait_for(ready_file, proc)["listen"]
        try:
            urllib.request.urlopen(f"http://{listen}/health", timeout=10)
        except urllib.error.HTTPError as exc:
            status = exc.code
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert listen.startswith("127.0.0.1:") and not listen.endswith(":0")
    assert status == 503
    assert proc.returncode == 0, stderr
    assert f"gateway listening on http://{listen}, master 127.0.0.1:9" in stderr
    assert not ready_file.exists()


def test_busy_port_is_one_clear_line_and_exit_1() -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        address = f"127.0.0.1:{busy.getsockname()[1]}"
        proc = gateway("--listen", address)
        _, stderr = proc.communicate(timeout=20)

    assert proc.returncode == 1
    assert f"cannot listen on {address}" in stderr


def test_bad_flag_value_exits_2_naming_it() -> None:
    proc = gateway("--listen", "nowhere")
    _, stderr = proc.communicate(timeout=20)

    assert proc.returncode == 2
    assert "listen (--listen)" in stderr


def test_a_session_cookie_that_is_no_cookie_name_exits_2_naming_the_flag() -> None:
    proc = gateway("--session-cookie", "my session")
    _, stderr = proc.communicate(timeout=20)

    assert proc.returncode == 2
    assert "session-cookie (--session-cookie)" in stderr
