"""An approval step's rules: who is asked, what, who agrees at once, when answers decide, and
what a link token is."""

from __future__ import annotations

import pytest

from master.catalogue import approval_rules as rules
from master.catalogue.approval_rules import Answer, Opinion
from master.errors import InvalidArgument


def test_approvers_take_variables_and_drop_duplicates() -> None:
    names = rules.approver_list(
        "alice,$owners, ${lead},alice", {"owners": "bob,carl", "lead": "dan"}, "approver"
    )
    assert names == ["alice", "bob", "carl", "dan"]
    assert rules.approver_variables("alice,$owners,${lead}") == {"owners", "lead"}


@pytest.mark.parametrize("approvers", ["", "a b", "a;rm", "@oncall", "%grp"])
def test_bad_approvers_are_refused_naming_the_field(approvers: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        rules.check_fields(approvers, "ok?", "off", "steps[1]")
    assert caught.value.field == "steps[1].approver"


def test_relaxed_and_content_are_checked() -> None:
    with pytest.raises(InvalidArgument) as caught:
        rules.check_fields("alice", "ok?", "maybe", "steps[0]")
    assert caught.value.field == "steps[0].relaxed"
    with pytest.raises(InvalidArgument) as caught:
        rules.check_fields("alice", " ", "on", "steps[0]")
    assert caught.value.field == "steps[0].cont"


def test_content_fills_what_it_knows_and_keeps_the_rest() -> None:
    known = {"submitter": "ann", "stepname": "gate", "version": "1.2"}
    assert rules.render("${submitter}: ${version} at ${stepname} ${nope}", known, None) == (
        "ann: 1.2 at gate ${nope}"
    )


def test_default_template_is_the_environment_one_else_the_built_in() -> None:
    known = {"submitter": "ann", "stepname": "gate", "taskname": "deploy"}
    assert rules.render("defaultTemplate", known, "${submitter} wants ${stepname}") == (
        "ann wants gate"
    )
    assert "ann" in rules.render("defaultTemplate", known, None)


def test_relaxed_on_agrees_for_the_submitter_only() -> None:
    assert rules.auto_agreed(["ann", "bob"], "ann", "on") == {"ann"}
    assert rules.auto_agreed(["ann", "bob"], "ann", "off") == set()
    assert rules.auto_agreed(["ann", "bob"], "ann", "nervous") == set()


def test_any_refuse_refuses_and_everyone_needs_every_agree() -> None:
    agree, refuse, wait = Opinion.AGREE, Opinion.REFUSE, Opinion.UNCONFIRMED
    one_agreed = [Answer("a", agree), Answer("b", wait)]
    assert rules.decision(one_agreed, everyone=False) == Opinion.AGREE
    assert rules.decision(one_agreed, everyone=True) is None
    assert rules.decision([Answer("a", agree), Answer("b", agree)], everyone=True) == agree
    assert rules.decision([Answer("a", agree), Answer("b", refuse)], everyone=False) == refuse
    assert rules.decision([], everyone=False) is None


def test_tokens_are_long_random_and_stored_as_their_hash() -> None:
    token, hashed = rules.new_token()
    other, _ = rules.new_token()
    assert len(token) >= 43 and token != other  # 256 bits, URL-safe
    assert hashed == rules.token_hash(token) and token not in hashed and len(hashed) == 64
