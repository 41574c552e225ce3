"""Templates, switches, addresses and the retry schedule: what people receive and when."""

from __future__ import annotations

import datetime as dt
import shlex
import sys
from pathlib import Path

import pytest

from master.notify import render
from master.notify.channels import SendError, Sms
from master.notify.expand import mail_address, signature
from master.notify.retry import RetryPolicy


def test_placeholders_are_replaced_literally_and_unknown_ones_kept() -> None:
    values = {"uuid": "Abc123", "status": "fail", "name": "$1 \\g<0>"}
    text = "task ${uuid} :${status} ${status} ${name} ${nope} $uuid"
    assert render.fill(text, values) == "task Abc123 :fail fail $1 \\g<0> ${nope} $uuid"


def test_defaults_and_the_title_is_its_first_line() -> None:
    settings = {"notifyTemplateEmailTitle": "", "notifyTemplateSmsContent": "sms ${uuid}"}
    title = render.template(settings, "notifyTemplateEmailTitle", render.TASK_TEMPLATES)
    assert title == "projectid: ${projectid} job ${status}"
    assert render.template(settings, "notifyTemplateSmsContent", render.TASK_TEMPLATES) == (
        "sms ${uuid}"
    )
    assert render.title_line("  first line \nsecond\n") == "first line"


def test_switches_map_every_notified_status_and_only_the_string_true_is_on() -> None:
    assert render.switch("page", "fail", "email") == "isPageFailEmail"
    assert render.switch("crontab", "killed", "sms") == "isCrontabFailSms"
    assert render.switch("api", "refuse", "email") == "isApiFailEmail"
    assert render.switch("api", "decision", "email") == "isApiWaitingEmail"
    assert render.switch("jobx", "success", "email") == "isApiSuccessEmail"
    assert render.approval_switch("sms") == "isApprovalSuccessSms"
    assert render.is_on({"k": "true"}, "k")
    assert not render.is_on({"k": "1"}, "k") and not render.is_on({}, "k")


def test_times_are_shown_in_the_masters_zone() -> None:
    moment = dt.datetime(2026, 1, 2, 3, 4, 5)
    assert render.local_time(moment, "UTC") == "2026-01-02 03:04:05"
    assert render.local_time(moment, "Asia/Shanghai") == "2026-01-02 11:04:05"
    assert render.local_time(None, "UTC") == ""


def test_user_names_map_to_mail_addresses() -> None:
    assert mail_address("alice@corp.example", "x.org") == "alice@corp.example"
    assert mail_address("alice", "x.org") == "alice@x.org"
    assert mail_address("alice", "") == ""
    assert mail_address("ops@app", "x.org") == ""


def test_the_signature_is_the_hmac_of_the_exact_body() -> None:
    assert signature("k", "{}") == (
        "sha256=add853b103fbcc936a194f9eb15e29c4ff08af6e47d5d1bca4f20218e31e4fff"
    )
    assert signature("k", "{}") != signature("k", "{} ")
    assert len(signature("k", "{}")) == len("sha256=") + 64


def test_retries_back_off_exponentially_and_stop() -> None:
    policy = RetryPolicy(base=2.0, max_attempts=5, cap=10.0)
    assert [policy.delay(n) for n in range(1, 6)] == [2.0, 4.0, 8.0, 10.0, None]
    now = dt.datetime(2026, 1, 1)
    assert policy.retry_at(1, now) == now + dt.timedelta(seconds=2)
    assert policy.retry_at(5, now) is None


def test_an_sms_command_gets_the_user_as_one_argument_and_the_message_on_stdin(
    tmp_path: Path,
) -> None:
    out = tmp_path / "sent"
    script = "import sys; open(sys.argv[1], 'w').write(sys.argv[2] + '|' + sys.stdin.read())"
    sms = Sms(command=f"{sys.executable} -c {shlex.quote(script)} {out}")

    assert sms.send("al; touch x", "hi $(whoami)") == "sms command exited 0"
    assert out.read_text() == "al; touch x|hi $(whoami)"
    assert not (tmp_path / "x").exists()
    with pytest.raises(SendError, match="exited 1"):
        Sms(command=f"{sys.executable} -c 'raise SystemExit(1)'").send("u", "m")
