"""The web console, served by the gateway at `/ui/`: server-rendered pages (Jinja2) over the same
gRPC calls as every other route, with the same permissions (a project token sees its project).

A person signs in with a token, kept in an HttpOnly, Secure, SameSite=Strict cookie scoped to
`/ui` (`gateway.ui.session`); every page and every live stream then calls the master with that
token, and the master decides, as it does for every client. Pages carry a Content-Security-Policy
that allows only the console's own, vendored scripts (`gateway.ui.headers`): no inline script, no
CDN, nothing fetched from elsewhere. Output and names reach the page as text only: templates
escape everything, and live output is written with `textContent`.

The console's routes are outside the REST documents: the gateway's token middleware passes them
by, and `gateway.ui.session` asks for the cookie instead (a missing or refused one goes to the
sign-in page rather than to an API error envelope).
"""

from __future__ import annotations

from gateway.ui.mount import console_routes

__all__ = ["console_routes"]
