"""Sending one delivery over its channel (blocking; the worker runs these in threads). Each
returns what the other side said, or raises SendError: nothing is called sent unless the server
accepted it. SMS commands run with an argv list and the message on stdin, never a shell line."""

from __future__ import annotations

import functools
import json
import shlex
import smtplib
import socket
import ssl
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

TIMEOUT = 15.0
FORM_STATUSES = frozenset({400, 406, 415, 422})
"""A JSON callback answered with one of these is posted again as a form (the receiver may only
read forms): docs/notifications.md."""
SMTP_SCHEMES = ("smtp", "smtps", "smtp+starttls")


class SendError(Exception):
    """The delivery was not accepted; the message says why (kept as its last error)."""


@dataclass(frozen=True)
class Smtp:
    """Where mail goes: `smtp[s]://[user:pass@]host[:port]`; `smtp+starttls://` insists on
    STARTTLS (plain smtp:// upgrades when the server offers it)."""

    scheme: str
    host: str
    port: int
    user: str
    password: str
    sender: str

    @classmethod
    def parse(cls, url: str, sender: str) -> Smtp:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
            raise ValueError(f"expected smtp[s]://[user:pass@]host[:port], got {parts.scheme!r}")
        default = 465 if parts.scheme == "smtps" else 587 if "starttls" in parts.scheme else 25
        return cls(
            parts.scheme,
            parts.hostname,
            parts.port or default,
            urllib.parse.unquote(parts.username or ""),
            urllib.parse.unquote(parts.password or ""),
            sender,
        )

    def send(self, to: str, subject: str, body: str) -> str:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain="jobfleet")
        message.set_content(body)
        try:
            with self._connect() as client:
                refused = client.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(f"smtp {self.host}:{self.port}: {exc}") from None
        if refused:
            raise SendError(f"smtp refused {', '.join(refused)}")
        return f"accepted by {self.host}:{self.port}"

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, own_name(), timeout=TIMEOUT, context=context
            )
        else:
            client = smtplib.SMTP(self.host, self.port, own_name(), timeout=TIMEOUT)
            client.ehlo()
            if client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
            elif self.scheme == "smtp+starttls":
                client.close()
                raise SendError(f"smtp {self.host}:{self.port} does not offer STARTTLS")
        if self.user:
            client.login(self.user, self.password)
        return client


@functools.cache
def own_name() -> str:
    """The name said in EHLO, looked up once (smtplib would resolve it at every connection,
    which may take seconds where DNS is slow)."""
    return socket.getfqdn()


def post(url: str, body: bytes, content_type: str, headers: dict[str, str]) -> tuple[int, str]:
    """POST; (status, start of the answer). A 2xx is accepted; anything else is the caller's."""
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", content_type)
    request.add_header("User-Agent", "jobfleet-notify")
    for key, value in headers.items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310
            return int(answer.status), answer.read(200).decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read(200).decode(errors="replace")
    except (urllib.error.URLError, OSError) as exc:
        raise SendError(f"POST {url}: {getattr(exc, 'reason', exc)}") from None


def post_json(url: str, document: str, headers: dict[str, str]) -> str:
    status, said = post(url, document.encode(), "application/json", headers)
    if 200 <= status < 300:
        return f"HTTP {status}"
    raise SendError(f"POST {url}: HTTP {status} {said}".strip())


def callback(url: str, document: str) -> str:
    """The JSON document; on an answer saying the receiver wants something else (400, 406, 415,
    422), the same as a form: its top-level scalars, `nodes` and `summary` as JSON text."""
    status, said = post(url, document.encode(), "application/json", {})
    if 200 <= status < 300:
        return f"HTTP {status} (json)"
    if status in FORM_STATUSES:
        form = {
            k: v if isinstance(v, str) else json.dumps(v) for k, v in json.loads(document).items()
        }
        body = urllib.parse.urlencode(form).encode()
        status, said = post(url, body, "application/x-www-form-urlencoded", {})
        if 200 <= status < 300:
            return f"HTTP {status} (form)"
    raise SendError(f"POST {url}: HTTP {status} {said}".strip())


@dataclass(frozen=True)
class Sms:
    """SMS through an HTTP gateway (`url` with `${user}` / `${mesg}`, POSTed) or a command
    (`command`, split like a shell would but run without one: the user is its last argument,
    the message its stdin)."""

    url: str = ""
    command: str = ""

    def send(self, user: str, message: str) -> str:
        if self.command:
            return self._run(user, message)
        if self.url:
            quote = urllib.parse.quote
            target = self.url.replace("${user}", quote(user)).replace("${mesg}", quote(message))
            form = urllib.parse.urlencode({"user": user, "mesg": message}).encode()
            status, said = post(target, form, "application/x-www-form-urlencoded", {})
            if 200 <= status < 300:
                return f"HTTP {status}"
            raise SendError(f"sms gateway: HTTP {status} {said}".strip())
        raise SendError("no SMS channel configured (--sms-url or --sms-command)")

    def _run(self, user: str, message: str) -> str:
        argv = [*shlex.split(self.command), user]
        try:
            done = subprocess.run(  # noqa: S603
                argv, input=message.encode(), capture_output=True, timeout=TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SendError(f"sms command: {exc}") from None
        if done.returncode != 0:
            said = done.stderr.decode(errors="replace")[-200:].strip()
            raise SendError(f"sms command exited {done.returncode}: {said}")
        return "sms command exited 0"
