"""`${name}` substitution in script content, arguments and paths."""

from __future__ import annotations

import re

from master.errors import InvalidArgument

PATTERN = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}")


def missing(texts: list[str], values: dict[str, str]) -> list[str]:
    """Names used in `texts` that have no (non-empty) value, sorted."""
    used = {m.group(1) for text in texts for m in PATTERN.finditer(text)}
    return sorted(name for name in used if not values.get(name))


def render(text: str, values: dict[str, str]) -> str:
    return PATTERN.sub(lambda m: values[m.group(1)], text)


def render_all(texts: list[str], values: dict[str, str]) -> list[str]:
    """Substitute every text, or refuse naming every variable that has no value."""
    absent = missing(texts, values)
    if absent:
        raise InvalidArgument(f"no value for variable(s): {', '.join(absent)}", "variables")
    return [render(t, values) for t in texts]
