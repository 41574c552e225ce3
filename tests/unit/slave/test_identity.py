"""The slave's credential is made and kept private before its first enrolment is sent, so an
enrolment whose answer is lost is still the slave's when it tries again (after a restart too)."""

from __future__ import annotations

import stat
from pathlib import Path

from slave.identity import Credentials
from slave.messages import Secret


def test_a_new_slave_keeps_the_credential_it_presents_before_it_dials(tmp_path: Path) -> None:
    state = tmp_path / "state"
    first = Credentials(state, "web1").own()

    again = Credentials(state, "web1").own()  # the process restarted before any Welcome

    assert first == again and len(first.value) >= 32
    assert stat.S_IMODE((state / "web1.credential").stat().st_mode) == 0o600
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert Credentials(state, "web2").own() != first  # one per name


def test_a_credential_a_master_made_replaces_the_one_kept(tmp_path: Path) -> None:
    kept = Credentials(tmp_path, "web1")
    kept.own()

    kept.save(Secret("m" * 43))  # an older master enrolled it under one of its own

    assert Credentials(tmp_path, "web1").own() == Secret("m" * 43)
