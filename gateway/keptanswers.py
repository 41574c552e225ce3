"""A page's repeated poll of a task (OpenC3's GET /task/:projectid/:uuid, no query) answered by the
HTTP protocol itself, in one write, when everything the app would do for it is already known.

A kept read costs the app little of its own (`gateway.taskreads`), but the way to it does not:
an asyncio task per request, Starlette's middleware and router, and uvicorn writing the headers
and the body in two sends (two segments, two wake-ups of the client). With pages polling every
few milliseconds that was most of the gateway's CPU per GET. Here the protocol (`KeptReadProtocol`
in `gateway.server`) asks `KeptAnswers.answer` as soon as a request's headers are in; an answer
is given only when:

- the request is a kept-alive HTTP/1.1 GET with no body, no query and no escape in its path, and
  the path's route is the task read (found once per path, as the router finds it);
- its token, taken as `gateway.auth.Credentials` takes it, is one the master said yes to for the
  path's project within `gateway.callers.CACHE_SECONDS` (the same yes the app would use);
- `gateway.taskreads` holds a fresh answer for that token and request (the same lookup the
  handler makes: FRESH_FOR still bounds how long a token reads a task after losing its right);
- the handler already rendered that answer in the current whole second (its body is that one).

Then the bytes are the ones the app would send: uvicorn's status line and `date`, the handler's
headers (content-length, content-type, ETag) and `X-Jobfleet-Status: 200`, and the body. Anything
else (a refusal, a first read, a long poll, a new second) takes the app's way, which keeps what
this gives again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Match

from gateway import forms
from gateway.auth import PRINTABLE, presented
from gateway.callers import CallerCache
from gateway.errors import FieldError
from gateway.statusheader import STATUS_HEADER
from gateway.taskreads import TaskReads, key_of

DOCUMENT = "openc3"
"""Whose rendering is given (`Read.rendered`): the task read answered here is OpenC3's."""
ANSWER = f"{DOCUMENT} answer"
"""Under which the answer's headers and body are kept with its read, for its second."""
STATUS_LINE = b"HTTP/1.1 200 OK\r\n"
PLACES = 4096
"""Paths whose placement is kept (all forgotten when full)."""


@dataclass(frozen=True)
class Place:
    """A path of the task read: its project and uuid, and which headers may hold its token."""

    project_id: int
    uuid: str
    token_header: bool
    basic: bool


class KeptAnswers:
    """Complete answers to repeated task reads (see the module's docstring)."""

    def __init__(
        self,
        endpoint: Callable[..., Any],
        routes: Sequence[BaseRoute],
        token_header_routes: Sequence[BaseRoute],
        basic_routes: Sequence[BaseRoute],
        callers: CallerCache,
        session_cookie: str,
    ) -> None:
        self.endpoint = endpoint
        self.routes = routes
        self.token_header = token_header_routes
        self.basic = basic_routes
        self.callers = callers
        self.session_cookie = session_cookie
        self._places: dict[str, Place | None] = {}

    def answer(
        self,
        state: Mapping[str, Any],
        path: str,
        headers: list[tuple[bytes, bytes]],
        default_headers: list[tuple[bytes, bytes]],
    ) -> bytes | None:
        """The whole HTTP answer to GET `path` (no query) with `headers` (lower-case names), as
        the app would send it with `default_headers` (uvicorn's `date`); None: ask the app."""
        place = self._place(path)
        reads = state.get("task_reads")
        if place is None or not isinstance(reads, TaskReads) or not reads.live:
            return None
        given = presented(
            Headers(raw=headers), place.token_header, self.session_cookie, place.basic
        )
        if given is None or given.malformed or not PRINTABLE.fullmatch(given.token):
            return None
        if self.callers.get(given.token, place.project_id) is None:
            return None
        read = reads.kept(key_of(given.token, place.project_id, 0, place.uuid), reads.clock())
        if read is None:
            return None
        second = int(time.time())
        tail = read.rendering(ANSWER, second)
        if tail is None:
            body = read.rendering(DOCUMENT, second)
            if body is None:
                return None
            tail = b"".join(
                (
                    b"content-length: %d\r\n" % len(body),
                    b"content-type: application/json\r\n",
                    b'etag: "%s"\r\n' % read.reply.etag.encode("latin-1"),
                    b"%s: 200\r\n\r\n" % STATUS_HEADER.lower().encode(),
                    body,
                )
            )
            read.renders[ANSWER] = (second, tail)
        head = [STATUS_LINE]
        for name, value in default_headers:
            head += (name, b": ", value, b"\r\n")
        head.append(tail)
        return b"".join(head)

    def _place(self, path: str) -> Place | None:
        """The task read's project and uuid in `path`; None when the path is not one (another
        route, none, or a project or uuid the handler refuses)."""
        if path in self._places:
            return self._places[path]
        scope = {"type": "http", "method": "GET", "path": path, "root_path": ""}
        place = None
        for route in self.routes:
            match, child = route.matches(scope)
            if match == Match.FULL:
                if getattr(route, "endpoint", None) is self.endpoint:
                    place = self._placed(scope, child.get("path_params", {}))
                break
        if len(self._places) >= PLACES:
            self._places.clear()
        self._places[path] = place
        return place

    def _placed(self, scope: dict[str, Any], params: Mapping[str, Any]) -> Place | None:
        try:
            project_id = forms.project_id(str(params[forms.PROJECT_PARAM]))
            uuid = forms.token(params, "uuid", required=True)
        except (KeyError, FieldError):
            return None

        def among(routes: Sequence[BaseRoute]) -> bool:
            return any(route.matches(scope)[0] == Match.FULL for route in routes)

        return Place(project_id, uuid, among(self.token_header), among(self.basic))
