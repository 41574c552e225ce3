"""Pages from Jinja2 templates, always autoescaped: nothing a job, a node or a log line holds can
become markup. Every page gets the caller (who is signed in) for the layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc
import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from gateway.callers import CALLER
from gateway.errors import HTTP_STATUS

HERE = Path(__file__).parent
ENVIRONMENT = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,  # every template, whatever its name
    undefined=jinja2.StrictUndefined,  # a misspelt name fails the page, not shows blank
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATES = Jinja2Templates(env=ENVIRONMENT)


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """`template` rendered with `context`, the caller and the request."""
    response: HTMLResponse = TEMPLATES.TemplateResponse(
        request, template, {"caller": CALLER.get(), "section": "", **context}, status_code=status
    )
    return response


def refused(request: Request, exc: grpc.aio.AioRpcError) -> HTMLResponse:
    """The master's refusal as a page: its HTTP status and its words (they name the field)."""
    code: grpc.StatusCode = exc.code()
    status = HTTP_STATUS.get(code, 502)
    return page(
        request, "error.html", status=status, code=code.name, message=exc.details() or code.name
    )
