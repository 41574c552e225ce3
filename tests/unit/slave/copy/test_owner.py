"""chown and chmod texts: what is accepted, and how names become ids here."""

from __future__ import annotations

import grp
import pwd

import pytest

from slave.copy.errors import CopyError
from slave.copy.owner import Owner, local_ids, mode_text, parse_mode, parse_owner


@pytest.mark.parametrize(
    ("spec", "owner"),
    [
        ("", None),
        ("nobody", Owner("nobody", "nobody", "")),
        ("app:www", Owner("app:www", "app", "www")),
        ("app:", Owner("app:", "app", "", login_group=True)),
        (":www", Owner(":www", "", "www")),
        ("1000:1000", Owner("1000:1000", "1000", "1000")),
    ],
)
def test_owner_forms(spec: str, owner: Owner | None) -> None:
    assert parse_owner(spec) == owner


@pytest.mark.parametrize("spec", [":", "a b", "-R", "x:y:z", "root;rm", "a/b"])
def test_bad_owners(spec: str) -> None:
    with pytest.raises(CopyError, match="chown: not a user"):
        parse_owner(spec)


@pytest.mark.parametrize(
    ("text", "mode"), [("", None), ("644", 0o644), ("0640", 0o640), ("2755", 0o2755)]
)
def test_modes(text: str, mode: int | None) -> None:
    assert parse_mode(text) == mode


@pytest.mark.parametrize("text", ["rwx", "8", "06444", "u+x", "64"])
def test_bad_modes(text: str) -> None:
    with pytest.raises(CopyError, match="chmod: not an octal mode"):
        parse_mode(text)


def test_names_and_ids_resolve_here() -> None:
    nobody = pwd.getpwnam("nobody")
    group = grp.getgrgid(nobody.pw_gid).gr_name
    assert local_ids(Owner("nobody", "nobody", "")) == (nobody.pw_uid, -1)
    assert local_ids(Owner("nobody:", "nobody", "", True)) == (nobody.pw_uid, nobody.pw_gid)
    assert local_ids(Owner(f":{group}", "", group)) == (-1, nobody.pw_gid)
    assert local_ids(Owner("4242:4343", "4242", "4343")) == (4242, 4343)
    with pytest.raises(CopyError, match="no such user: jobfleet-nobody-here"):
        local_ids(Owner("jobfleet-nobody-here", "jobfleet-nobody-here", ""))
    assert mode_text(0o640) == "0640"
