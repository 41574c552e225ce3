"""The pure rules of an approval step: who is asked (`$var` substituted, duplicates dropped),
what they are asked (`${x}` filled), who is agreed for at once (`relaxed`), when the answers
decide the step, and what a link token is (random, stored as its hash only)."""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from master.errors import InvalidArgument

MAX_APPROVERS = 50
MAX_CONTENT = 5000
APPROVER_ENTRY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]{0,254}")
"""A user name. OpenC3's `@group`, `%on-call` and `:department` entries are not expanded here:
refused rather than sent to a user of that name."""
APPROVER_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}")
RELAXED = ("", "on", "off", "nervous")
DEFAULT_TEMPLATE = "defaultTemplate"
BUILTIN_TEMPLATE = "${submitter} asks you to approve step ${stepname} of ${taskname}."
"""What `defaultTemplate` stands for while no environment sets approvalTemplatePluginContent."""
NERVOUS_SUBMITTER = "sys@app"
"""relaxed: nervous records the submitter as OpenC3 does: not the person."""
TOKEN_BYTES = 32  # 256 bits


class Opinion(enum.StrEnum):
    UNCONFIRMED = "unconfirmed"
    AGREE = "agree"
    REFUSE = "refuse"


ANSWERS = (Opinion.AGREE.value, Opinion.REFUSE.value)


def check_fields(approvers: str, content: str, relaxed: str, at: str) -> None:
    """A step's approval fields as written (before variables), each error naming its field."""
    if not approvers.strip():
        raise InvalidArgument("name at least one approver", f"{at}.approver")
    entries = [e.strip() for e in approvers.split(",")]
    if len(entries) > MAX_APPROVERS:
        raise InvalidArgument(f"at most {MAX_APPROVERS} approvers", f"{at}.approver")
    for entry in entries:
        if not (APPROVER_ENTRY.fullmatch(entry) or APPROVER_VARIABLE.fullmatch(entry)):
            why = "user names (letters, digits, _ . @ -; groups are not expanded) or $variables"
            raise InvalidArgument(f"{why}; not {entry!r}", f"{at}.approver")
    if not content.strip() or len(content) > MAX_CONTENT:
        raise InvalidArgument(f"must be 1 to {MAX_CONTENT} characters", f"{at}.cont")
    if relaxed not in RELAXED:
        raise InvalidArgument("must be on, off or nervous", f"{at}.relaxed")


def approver_variables(approvers: str) -> set[str]:
    """The variables an approver list names (`$name` or `${name}`)."""
    return {a or b for a, b in APPROVER_VARIABLE.findall(approvers)}


def approver_list(approvers: str, values: Mapping[str, str], at: str) -> list[str]:
    """The approvers with `$var` substituted (a value may itself be a comma list), each checked,
    in order, without duplicates."""
    text = APPROVER_VARIABLE.sub(lambda m: values.get(m.group(1) or m.group(2), ""), approvers)
    names = list(dict.fromkeys(e.strip() for e in text.split(",") if e.strip()))
    if not names:
        raise InvalidArgument("names no approver once its variables are substituted", at)
    bad = [n for n in names if not APPROVER_ENTRY.fullmatch(n)]
    if bad:
        raise InvalidArgument(f"not user names: {', '.join(map(repr, bad))}", at)
    if len(names) > MAX_APPROVERS:
        raise InvalidArgument(f"at most {MAX_APPROVERS} approvers", at)
    return names


def render(content: str, known: Mapping[str, str], template: str | None) -> str:
    """`cont` as approvers read it: `defaultTemplate` is the environment's template (`template`;
    None: BUILTIN_TEMPLATE), then each `${x}` known is filled; unknown ones stay as written."""
    text = (template or BUILTIN_TEMPLATE) if content.strip() == DEFAULT_TEMPLATE else content
    return PLACEHOLDER.sub(lambda m: known.get(m.group(1), m.group(0)), text)[:MAX_CONTENT]


def auto_agreed(approvers: Iterable[str], submitter: str, relaxed: str) -> set[str]:
    """relaxed `on`: the submitter, when an approver, agrees at once; off/nervous: no one."""
    return {a for a in approvers if a == submitter} if relaxed == "on" else set()


@dataclass(frozen=True)
class Answer:
    approver: str
    opinion: str


def decision(answers: Iterable[Answer], everyone: bool) -> Opinion | None:
    """What the answers so far decide: any refuse refuses; agree once every approver agreed
    (everyone) or any did; None while undecided."""
    rows = list(answers)
    if any(r.opinion == Opinion.REFUSE for r in rows):
        return Opinion.REFUSE
    agreed = [r.opinion == Opinion.AGREE for r in rows]
    if rows and (all(agreed) if everyone else any(agreed)):
        return Opinion.AGREE
    return None


def new_token() -> tuple[str, str]:
    """A link token (256 random bits, URL-safe) and the hash stored in its place."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    """sha256 of the token: tokens are random and long, so no slow hash is needed to keep a
    stolen database from answering."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
