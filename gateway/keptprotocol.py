"""uvicorn's httptools protocol, answering a page's repeated task poll itself when
`gateway.keptanswers` knows the whole answer: no asyncio task, no ASGI stack, one write."""

from __future__ import annotations

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gateway.keptanswers import KeptAnswers

BODY_HEADERS = frozenset({b"content-length", b"transfer-encoding", b"expect", b"upgrade"})


class KeptReadProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with a way round the app for kept task reads (`answers`, set on a
    subclass by `protocol_for`); every other request is uvicorn's as before."""

    answers: KeptAnswers | None = None
    _answered = False
    """The request in progress was answered here: its end is no cycle's."""

    def on_headers_complete(self) -> None:
        answer = self._kept_answer()
        if answer is None:
            super().on_headers_complete()
            return
        self._answered = True
        self.transport.write(answer)
        if self.access_log:  # uvicorn's line for it
            client = "%s:%d" % self.client if self.client else ""  # noqa: UP031
            path = self.url.decode("latin-1")
            self.access_logger.info('%s - "%s %s HTTP/%s" %d', client, "GET", path, "1.1", 200)
        self.on_response_complete()

    def on_message_complete(self) -> None:
        if self._answered:
            self._answered = False
            return
        super().on_message_complete()

    def on_body(self, body: bytes) -> None:  # never: a request with a body is not answered here
        if not self._answered:
            super().on_body(body)

    def _kept_answer(self) -> bytes | None:
        parser = self.parser
        if (
            self.answers is None
            or parser.get_method() != b"GET"
            or parser.get_http_version() != "1.1"
            or not parser.should_keep_alive()
            or parser.should_upgrade()
            or (self.cycle is not None and not self.cycle.response_complete)
            or self.pipeline
            or self.limit_concurrency is not None
            or self.root_path
            or any(name in BODY_HEADERS for name, _ in self.headers)
        ):
            return None
        url = httptools.parse_url(self.url)
        if url.query is not None or url.fragment is not None or b"%" in url.path:
            return None
        path = url.path.decode("ascii")
        return self.answers.answer(
            self.app_state, path, self.headers, self.server_state.default_headers
        )


def protocol_for(answers: KeptAnswers | None) -> type[KeptReadProtocol]:
    """The protocol class uvicorn makes each connection's protocol of, answering from `answers`."""
    return type("KeptReadProtocol", (KeptReadProtocol,), {"answers": answers})
