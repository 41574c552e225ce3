"""An OpenC3 job's `data` (an array of step hashes) -> proto `Step`s.

Format checks only: which keys, which words, which number ranges; what the names refer to
(nodes, groups, variables, accounts) is the master's to check. Every error names the step by its
index in `data` (0-based) and the document's key: `data[1].node_cont`.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from typing import Any

from gateway import filenames, forms, schemas
from gateway.errors import FieldError
from gateway.forms import Fields
from gateway.openc3 import words
from gateway.words import value_of
from jobfleet.v1 import common_pb2

PLUGIN_TYPES = ("cmd", "scp", "approval")
CITE = "cite"
"""A cmd step's `scripts_type` that runs a stored script, its id in `scripts_cont`."""
SCRIPT_TYPES = (*words.SCRIPT_TYPE.values(), CITE)
# OpenC3's step conditions ("" = not sent): the master decides them against the run's
# variables (docs/waves.md); `batches` may instead be a wave plan (WAVES).
CONDITIONS: dict[str, tuple[str, ...]] = {
    "deployenv": ("always", "test", "online"),
    "action": ("always", "deploy", "rollback"),
    "batches": ("always", "firsttime", "thelasttime", "notfirsttime", "notthelasttime"),
}
WAVES = re.compile(r"[0-9]{1,3}%|[0-9]{1,6}(?:,[0-9]{1,6}){0,63}")
"""`batches` as a wave plan: N, N% or a,b,c (the master checks the numbers: 1.., 1% to 100%)."""
STEP_UUID = re.compile(r"([a-z]+)_[A-Za-z0-9]+")
MAX_UUIDS = 100 * 80
NODE_TYPES = ("builtin", "group", "variable")
FILESERVER = "fileserver"
SRC_TYPES = (*NODE_TYPES, FILESERVER)
DST_TYPES = SRC_TYPES  # fileserver: into the project's file store, from one machine
DEFAULT_TIMEOUT = 60
MAX_TIMEOUT = 86400
MAX_TEXT = 255
APPROVERS = re.compile(r"[A-Za-z0-9,@_.${} -]{1,1024}")
"""An approval's `approver`: user names, comma separated; `$var` or `${var}` in a job step."""
ON_OFF = ("on", "off")
RELAXED = ("on", "off", "nervous")
MAX_CONTENT = 5000
APPROVAL_TIMEOUT = 86400
MAX_APPROVAL_TIMEOUT = 7 * 86400

ACCOUNT = re.compile(r"[A-Za-z0-9_.-]{1,64}")
# chown: what the slave's copy takes (slave/copy/owner.py), `user`, `user:group`, `user:` (the
# user's login group) or `:group`; a name never starts with `-`, so it cannot be read as an
# option (`-R`).
_OWNER_NAME = r"[A-Za-z0-9_][A-Za-z0-9._-]{0,63}\$?"
OWNER = re.compile(rf"{_OWNER_NAME}(?::(?:{_OWNER_NAME})?)?|:{_OWNER_NAME}")
MODE = re.compile(r"[0-7]{3,4}")


def parse_steps(fields: Fields) -> list[common_pb2.Step]:
    """The job's `data`: a JSON array of step hashes, or its JSON text in a form field. A step
    without `plugin_type` takes the type `uuids` gives it at its position (`cmd_<uuid>,...`, as
    a job's detail answers it and c3mc-job-load reads it)."""
    hashes = forms.hash_list(fields, "data")
    if not hashes:
        raise FieldError("data", "must hold at least one step")
    kinds = step_kinds(forms.text(fields, "uuids", max_len=MAX_UUIDS))
    return [
        parse_step(item, f"data[{index}]", kinds[index] if index < len(kinds) else "")
        for index, item in enumerate(hashes)
    ]


def step_kinds(uuids: str) -> list[str]:
    """The step types a detail's `uuids` lists in order ("" where an entry is not `type_uuid`)."""
    if not uuids:
        return []
    return [kind.group(1) if kind else "" for kind in map(STEP_UUID.fullmatch, uuids.split(","))]


def parse_step(item: Mapping[str, Any], where: str, kind: str = "") -> common_pb2.Step:
    """One step hash; `uuid`, when sent back from a GET, keeps the step's identity; `kind` is
    the type when the hash has no `plugin_type`. Unknown keys, and `scp_delete`, are dropped."""
    with forms.within(where):
        kind = forms.choice(item, "plugin_type", PLUGIN_TYPES, kind or None)
        step = common_pb2.Step(
            uuid=forms.token(item, "uuid"),
            name=forms.text(item, "name", required=True, max_len=MAX_TEXT),
            pause=forms.text(item, "pause", max_len=MAX_TEXT),
        )
        for key, words in CONDITIONS.items():
            setattr(step, key, condition(item, key, words))
        if kind == "cmd":
            step.cmd.CopyFrom(cmd_step(item))
        elif kind == "approval":
            step.approval.CopyFrom(approval_step(item))
        else:
            forms.flag(item, "scp_delete")  # jobfleet's copy never deletes at the destination
            step.scp.CopyFrom(scp_step(item))
    return step


def condition(item: Mapping[str, Any], key: str, words: tuple[str, ...]) -> str:
    """One of OpenC3's condition words (`batches`: or a wave plan), or "" when not sent."""
    value = forms.text(item, key)
    if key == "batches" and WAVES.fullmatch(value):
        return value
    if value and value not in words and key == "batches":
        raise FieldError(key, f"must be one of {', '.join(words)} or waves: N, N% or a,b,c")
    return forms.choice(item, key, words) if value else ""


def approval_step(item: Mapping[str, Any]) -> common_pb2.ApprovalStep:
    """An approval step's keys (a job's, or plugin_approval's): `approver` a comma list of user
    names (`$var` in a job), `cont` what is asked, `everyone`/`relaxed` words, `timeout` seconds
    (empty: 86400)."""
    forms.text(item, "approver", required=True)
    return common_pb2.ApprovalStep(
        approvers=forms.matching(item, "approver", APPROVERS, "user names, comma separated"),
        content=forms.text(item, "cont", required=True, max_len=MAX_CONTENT, strip=False),
        everyone=forms.choice(item, "everyone", ON_OFF, "off") == "on",
        relaxed=forms.choice(item, "relaxed", RELAXED, "off"),
        timeout_seconds=forms.integer(
            item, "timeout", default=APPROVAL_TIMEOUT, low=1, high=MAX_APPROVAL_TIMEOUT
        ),
    )


def number_as_name(item: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """The hash with a whole JSON number in `key` read as its text: OpenC3's pages send a
    group picked in a dialog as its id, a number."""
    value = item.get(key)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return {**item, key: str(value)}
    return item


def cmd_step(item: Mapping[str, Any]) -> common_pb2.CmdStep:
    return common_pb2.CmdStep(
        user=forms.matching(item, "user", ACCOUNT, "an account name"),
        nodes=selector(item, "node_type", "node_cont", NODE_TYPES),
        **script_fields(item),
        args=arguments(item, "scripts_argv"),
        timeout_seconds=timeout(item),
    )


def script_fields(item: Mapping[str, Any]) -> dict[str, Any]:
    """`scripts_type` and `scripts_cont` as the proto's script fields: the script itself, or
    (`cite`) the id of a stored script, which OpenC3's pages send as a number."""
    script_type = forms.choice(item, "scripts_type", SCRIPT_TYPES, "shell")
    if script_type == CITE:
        return {"script_id": forms.identifier(item, "scripts_cont")}
    return {
        "script_type": value_of(words.SCRIPT_TYPE, script_type, "scripts_type"),
        "script": forms.text(item, "scripts_cont", required=True, strip=False),
    }


def scp_step(item: Mapping[str, Any]) -> common_pb2.ScpStep:
    """A copy (a job's scp step, or plugin_scp's fields). From the file server, `sp` is the
    stored file's name, and `src` may be empty; into it, `dst` may be empty (OpenC3's page
    sends the machine) and `dp` is the name the file gets (see `stored_name`)."""
    src = selector(item, "src_type", "src", SRC_TYPES)
    src_path = forms.text(item, "sp", required=True, max_len=4096)
    if src.type == common_pb2.NODE_SELECTOR_TYPE_FILESERVER:
        filenames.checked(src_path, "sp")
    dst = selector(item, "dst_type", "dst", DST_TYPES)
    dst_path = forms.text(item, "dp", required=True, max_len=4096)
    if dst.type == common_pb2.NODE_SELECTOR_TYPE_FILESERVER:
        into_store(src, src_path, dst_path)
    return common_pb2.ScpStep(
        user=forms.matching(item, "user", ACCOUNT, "an account name"),
        src=src,
        src_path=src_path,
        dst=dst,
        dst_path=dst_path,
        chown=forms.matching(item, "chown", OWNER, "user, user:group, user: or :group"),
        chmod=forms.matching(item, "chmod", MODE, "an octal mode such as 644"),
        timeout_seconds=timeout(item),
    )


def into_store(src: common_pb2.NodeSelector, src_path: str, dst_path: str) -> None:
    """A copy into the file server comes from a machine, and names a plain file: `dp`, or when
    `dp` ends in `/` (OpenC3's send-file page sends `/tmp/abc/`), the file name of `sp`.
    Names holding `${...}` are checked once the master has substituted them."""
    if src.type == common_pb2.NODE_SELECTOR_TYPE_FILESERVER:
        raise FieldError("src_type", "copy into the file server from a machine, not from it")
    if dst_path.endswith("/"):
        name, field = src_path.rstrip("/").rsplit("/", 1)[-1], "sp"
    else:
        name, field = dst_path, "dp"
    if "${" not in name:
        filenames.checked(name, field)


def selector(
    item: Mapping[str, Any], type_key: str, content_key: str, types: tuple[str, ...]
) -> common_pb2.NodeSelector:
    """builtin: a comma list of nodes; group: a group (its name, or its id, maybe a JSON
    number); variable: a variable; fileserver: the project's file store (no content needed)."""
    item = number_as_name(item, content_key)
    kind = forms.choice(item, type_key, types, "builtin")
    if kind == "builtin":
        content = ",".join(forms.name_list(item, content_key))
    else:
        content = forms.text(item, content_key, required=kind != FILESERVER, max_len=MAX_TEXT)
    return common_pb2.NodeSelector(type=value_of(words.NODE_TYPE, kind, type_key), content=content)


def arguments(item: Mapping[str, Any], key: str) -> str:
    """Script arguments as one string the master splits like a shell; a JSON list is joined."""
    value = item.get(key)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return shlex.join(value)
    text = forms.text(item, key, strip=False)
    forms.argv(item, key)  # refuses what a shell could not split (an open quote)
    return text


def timeout(item: Mapping[str, Any]) -> int:
    return forms.integer(item, "timeout", default=DEFAULT_TIMEOUT, low=1, high=MAX_TIMEOUT)


def _selector_schema(type_key: str, content_key: str, types: tuple[str, ...]) -> schemas.Schema:
    return {
        type_key: schemas.choice(types, description="default builtin"),
        content_key: {
            "anyOf": [
                schemas.name_list(),
                schemas.text(MAX_TEXT, required=True),
                schemas.identifier(),
            ],
            "description": "builtin: the nodes (a list, or a comma list); group: a group's "
            "name or id; variable: a variable's name (`ip`, or `$ip` as OpenC3 writes it)",
        },
    }


def _named_content(type_key: str, content_key: str) -> schemas.Schema:
    """A group, a variable (or a file server file) is named by one string, not a list."""
    return {
        "if": {
            "properties": {type_key: {"enum": ["group", "variable", "fileserver"]}},
            "required": [type_key],
        },
        "then": {
            "properties": {
                content_key: {
                    "anyOf": [schemas.text(MAX_TEXT, required=True), schemas.identifier()]
                }
            }
        },
    }


TIMEOUT_SCHEMA = schemas.integer(1, MAX_TIMEOUT, description=f"seconds, default {DEFAULT_TIMEOUT}")
SCRIPT_FIELDS: dict[str, schemas.Schema] = {
    "scripts_type": schemas.choice(
        SCRIPT_TYPES, description="default shell; cite: run the stored script `scripts_cont`"
    ),
    "scripts_cont": {
        "anyOf": [schemas.text(required=True), schemas.identifier()],
        "description": "the script; cite: a stored script's id, of this project or project 0",
    },
}
# A cited script's id: what forms.identifier takes as a decimal string (1 to 18 digits).
CITED_ID = {"type": "string", "pattern": r"^0*[1-9][0-9]{0,17}$"}
# `cite`: `scripts_cont` is a stored script's id; any other type: the script itself.
SCRIPT_RULE: schemas.Schema = {
    "if": {"properties": {"scripts_type": {"const": CITE}}, "required": ["scripts_type"]},
    "then": {"properties": {"scripts_cont": {"anyOf": [schemas.identifier(), CITED_ID]}}},
    "else": {"properties": {"scripts_cont": schemas.text(required=True)}},
}
CMD_FIELDS: dict[str, schemas.Schema] = {
    "user": schemas.matching(ACCOUNT.pattern, description="the account to run as"),
    **_selector_schema("node_type", "node_cont", NODE_TYPES),
    **SCRIPT_FIELDS,
    "scripts_argv": schemas.argv(),
    "timeout": TIMEOUT_SCHEMA,
}
SCP_FIELDS: dict[str, schemas.Schema] = {
    "user": schemas.matching(ACCOUNT.pattern, description="the account to copy as"),
    **_selector_schema("src_type", "src", SRC_TYPES),
    "sp": schemas.text(4096, required=True, description="the source path (fileserver: its name)"),
    **_selector_schema("dst_type", "dst", DST_TYPES),
    "dp": schemas.text(
        4096,
        required=True,
        description="the destination path (fileserver: the file's name there; ending in `/`: "
        "the name of `sp`)",
    ),
    "chown": schemas.matching(OWNER.pattern),
    "chmod": schemas.matching(MODE.pattern),
    "timeout": TIMEOUT_SCHEMA,
    "scp_delete": {
        "type": ["boolean", "integer", "string", "null"],
        "description": "accepted and dropped: a copy here never deletes at the destination",
    },
}
# `src` may be left out only when copying from the file server, `dst` only when copying into
# it; a group or a variable is one name.
SCP_SOURCE_RULE: schemas.Schema = {
    "allOf": [
        {
            "if": {"properties": {"src_type": {"const": "fileserver"}}, "required": ["src_type"]},
            "else": {"required": ["src"]},
        },
        {
            "if": {"properties": {"dst_type": {"const": "fileserver"}}, "required": ["dst_type"]},
            "else": {"required": ["dst"]},
        },
        _named_content("src_type", "src"),
        _named_content("dst_type", "dst"),
    ]
}
_STEP_FIELDS: dict[str, schemas.Schema] = {
    "uuid": schemas.token(description="kept from a GET: the step's identity"),
    "name": schemas.text(MAX_TEXT, required=True),
    "pause": schemas.text(MAX_TEXT, description="when set, the task waits here for `next`"),
    "deployenv": schemas.choice(
        CONDITIONS["deployenv"],
        description="runs only in this environment (variable _deployenv_); docs/waves.md",
    ),
    "action": schemas.choice(
        CONDITIONS["action"], description="runs only for this action (variable _action_)"
    ),
    "batches": schemas.matching(
        "|".join((*CONDITIONS["batches"], WAVES.pattern)),
        description="a condition on the run's batch (variables _batch_, _batches_), or the "
        "step's nodes in waves: N, N% or a,b,c (the last size repeats)",
    ),
}
APPROVAL_FIELDS: dict[str, schemas.Schema] = {
    "approver": {
        "type": "string",
        "pattern": rf"^(?=.*[^ ,])(?:{APPROVERS.pattern})$",
        "description": "user names, comma separated; `$var` in a job's step",
    },
    "cont": schemas.text(
        MAX_CONTENT,
        required=True,
        description="what is asked; `${submitter}`, `${stepname}`, `${var}` filled at its start; "
        "`defaultTemplate`: the environment's approvalTemplatePluginContent",
    ),
    "everyone": schemas.choice(ON_OFF, description="on: every approver must agree; default off"),
    "relaxed": schemas.choice(
        RELAXED, description="on: the submitter, when an approver, agrees at once; default off"
    ),
    "timeout": schemas.integer(
        1, MAX_APPROVAL_TIMEOUT, description=f"seconds, default {APPROVAL_TIMEOUT}"
    ),
}
STEP_SCHEMA = schemas.one_of(
    {
        **schemas.obj(
            {"plugin_type": {"const": "cmd"}, **_STEP_FIELDS, **CMD_FIELDS},
            ["plugin_type", "name", "node_cont", "scripts_cont"],
        ),
        "allOf": [_named_content("node_type", "node_cont"), SCRIPT_RULE],
    },
    {
        **schemas.obj(
            {"plugin_type": {"const": "scp"}, **_STEP_FIELDS, **SCP_FIELDS},
            ["plugin_type", "name", "sp", "dp"],
        ),
        **SCP_SOURCE_RULE,
    },
    schemas.obj(
        {"plugin_type": {"const": "approval"}, **_STEP_FIELDS, **APPROVAL_FIELDS},
        ["plugin_type", "name", "approver", "cont"],
    ),
)
STEPS_SCHEMA = schemas.array(STEP_SCHEMA, min_items=1)
