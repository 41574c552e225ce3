"""The console's routes under `/ui`, behind `ConsoleSession` and `ConsoleHeaders`: the sign-in
pages, the static files (vendored, pinned: nothing is fetched from elsewhere), and each page
module's `routes`."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from gateway.ui import session
from gateway.ui.headers import ConsoleHeaders
from gateway.ui.pages import crontabs, jobs, run, runs, slaves
from gateway.ui.render import HERE


async def home(request: Request) -> Response:
    return RedirectResponse(session.HOME, 303)


def console_routes() -> list[BaseRoute]:
    """One Mount at `/ui` (a new one each call: each app gets its own)."""
    routes: list[BaseRoute] = [
        Route("/", home, methods=["GET"]),
        Route("/signin", session.sign_in_page, methods=["GET"]),
        Route("/signin", session.sign_in, methods=["POST"]),
        Route("/signout", session.sign_out, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        *runs.routes,
        *run.routes,
        *jobs.routes,
        *crontabs.routes,
        *slaves.routes,
    ]
    middleware = [Middleware(ConsoleHeaders), Middleware(session.ConsoleSession)]
    return [Mount("/ui", routes=routes, middleware=middleware, name="ui")]
