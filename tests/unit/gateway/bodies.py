"""Hand-built multipart bodies (httpx leaves out an empty filename, a test needs to send one)."""

from __future__ import annotations

BOUNDARY = "xYz123"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def multipart_body(*parts: tuple[str, str | None, bytes], close: bool = True) -> bytes:
    """A multipart/form-data body of (field, filename or None for a text field, content)."""
    out = b""
    for field, filename, content in parts:
        disposition = f'form-data; name="{field}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content
        out += b"\r\n"
    return out + (f"--{BOUNDARY}--\r\n".encode() if close else b"")
