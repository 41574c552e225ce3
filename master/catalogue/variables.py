"""`${name}` substitution in script content, arguments and paths, within size bounds.

Substitution multiplies: a 400 KB value used a hundred times is a 40 MB script. So rendering
counts the bytes it produces and stops at the first piece past a bound, before joining anything:
a refused request never costs the master more memory than its bound. Two bounds hold: each
rendered field (`RenderLimit.field_bytes`, the master's `--max-script-bytes`) and everything one
task renders (`RenderLimit.task_bytes`, a fixed multiple of it), so the task's rows, its answer
and each order to a slave stay a known size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from master.errors import ResourceExhausted

PATTERN = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}")
MiB = 1 << 20
TASK_FIELDS = 8
"""A task may render this many times the field bound in all: a job of many large steps fits,
and the task's answer (its steps, rendered, and its variables) stays well under gRPC's 32 MiB."""


def selected_variable(content: str) -> str:
    """The variable a `variable` node selector names: `ip`, or as OpenC3's pages write it,
    `$ip` (or `${ip}`)."""
    text = content.strip()
    if text.startswith("${") and text.endswith("}"):
        return text[2:-1].strip()
    return text.removeprefix("$").strip()


@dataclass(frozen=True)
class RenderLimit:
    field_bytes: int = MiB

    @property
    def task_bytes(self) -> int:
        return TASK_FIELDS * self.field_bytes


class Budget:
    """What one task may still render: each field at most `field_bytes`, all at most
    `task_bytes`. Refusals are RESOURCE_EXHAUSTED naming the field (413 at the gateway)."""

    def __init__(self, limit: RenderLimit, values: dict[str, str]) -> None:
        self.limit = limit
        self.values = values
        self.left = limit.task_bytes
        self._sizes: dict[str, int] = {}

    def render(self, text: str, field: str) -> str:
        """`text` with its variables substituted, or a refusal at the first byte too many."""
        return self._render(text, field, 0)[0]

    def render_each(self, texts: list[str], field: str) -> list[str]:
        """Several texts that form one field (an argument list), bounded together."""
        rendered: list[str] = []
        size = 0
        for text in texts:
            piece, size = self._render(text, field, size)
            rendered.append(piece)
        return rendered

    def _render(self, text: str, field: str, size: int) -> tuple[str, int]:
        pieces: list[str] = []
        start = 0
        for match in PATTERN.finditer(text):
            size = self._add(pieces, size, text[start : match.start()], field)
            size = self._add(pieces, size, self.values[match.group(1)], field, match.group(1))
            start = match.end()
        size = self._add(pieces, size, text[start:], field)
        return "".join(pieces), size

    def _add(self, pieces: list[str], size: int, piece: str, field: str, name: str = "") -> int:
        if not piece:
            return size
        if size + len(piece) > self.limit.field_bytes:  # at least a byte a character
            raise self._too_large(field)
        added = self._size(name, piece)
        size += added
        if size > self.limit.field_bytes:
            raise self._too_large(field)
        if added > self.left:
            raise ResourceExhausted(
                f"the task renders to more than {self.limit.task_bytes} bytes in all "
                f"({TASK_FIELDS} x --max-script-bytes) once variables are substituted",
                field,
            )
        self.left -= added
        pieces.append(piece)
        return size

    def _size(self, name: str, piece: str) -> int:
        if not name:
            return len(piece.encode())
        if name not in self._sizes:
            self._sizes[name] = len(piece.encode())
        return self._sizes[name]

    def _too_large(self, field: str) -> ResourceExhausted:
        return ResourceExhausted(
            f"more than {self.limit.field_bytes} bytes once variables are substituted "
            "(--max-script-bytes)",
            field,
        )


def check_values(values: dict[str, str], limit: RenderLimit) -> None:
    """Variables are stored with the task: each value within the field bound, all within the
    task bound, else RESOURCE_EXHAUSTED on `variables`."""
    total = 0
    for name, value in values.items():
        size = len(value.encode())
        if size > limit.field_bytes:
            raise ResourceExhausted(
                f"{name!r} is more than {limit.field_bytes} bytes (--max-script-bytes)",
                "variables",
            )
        total += size + len(name.encode())
        if total > limit.task_bytes:
            raise ResourceExhausted(
                f"more than {limit.task_bytes} bytes in all ({TASK_FIELDS} x --max-script-bytes)",
                "variables",
            )
