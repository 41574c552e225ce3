"""Which account a terminal runs as: one the project has (or the slave's own run-as accounts on
its own machine), the machines' common default when none is asked, never the slave's own user
by default."""

from __future__ import annotations

import pytest

from master.domain import Identity
from master.errors import InvalidArgument, NotFound
from master.terminal.admission import account

AGENT = Identity("s1", None, ("deploy", "root"))
BARE = Identity("s2", None, ())  # says nothing of its accounts: runs as itself


def test_an_asked_account_must_be_the_projects_or_the_slaves() -> None:
    assert account(1, "app", ["app"], {}, ("m1",)) == "app"
    assert account(1, "root", [], {"s1": AGENT}, ()) == "root"
    with pytest.raises(NotFound) as other:
        account(1, "root", ["app"], {"s1": AGENT}, ("m1",))  # m1 is reached over SSH
    assert other.value.field == "user"
    with pytest.raises(NotFound):
        account(1, "nobody", ["app"], {"s1": AGENT}, ())


def test_the_default_is_said_outright_or_refused() -> None:
    assert account(1, "", ["app", "ops"], {}, ("m1", "m2")) == "app"
    assert account(1, "", [], {"s1": AGENT}, ()) == "deploy"
    assert account(1, "", ["app"], {"s2": BARE}, ()) == "app"  # never the slave's own user
    with pytest.raises(InvalidArgument) as none:
        account(1, "", [], {"s2": BARE}, ())
    assert none.value.field == "user"
    with pytest.raises(InvalidArgument):
        account(1, "", ["app"], {"s1": AGENT}, ("m1",))  # deploy there, app over SSH
