"""What a webhook or callback URL may be: http(s) to a named host, bounded."""

from __future__ import annotations

import urllib.parse

from master.errors import InvalidArgument

MAX_URL = 2048


def http_url(value: str, field: str) -> str:
    """The URL as given, or INVALID_ARGUMENT naming `field`."""
    url = value.strip()
    if len(url) > MAX_URL:
        raise InvalidArgument(f"at most {MAX_URL} characters", field)
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018  (a bad port raises here)
    except ValueError:
        raise InvalidArgument("not a URL", field) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidArgument("must be an http:// or https:// URL with a host", field)
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise InvalidArgument("must not contain spaces or control characters", field)
    return url
