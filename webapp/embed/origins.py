"""The origins a website allows to frame its widget (its ``allowedDomains``).

An entry is an origin: ``https://shop.example.com``, ``http://localhost:8080``, or a wildcard
for subdomains, ``https://*.example.com``. Anything else is ignored rather than trusted: the
entries end up in a ``Content-Security-Policy`` header, where a stray ``;`` or space would add
a directive of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_ORIGIN = re.compile(
    r"(?P<scheme>https?)://(?P<host>(?:\*\.)?[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)"
    r"(?::(?P<port>[0-9]{1,5}))?"
)
DEFAULT_PORTS = {"http": "80", "https": "443"}


def normalize_origin(text: object) -> str | None:
    """``text`` as a canonical origin (lowercase, no default port, no path), or None."""
    if not isinstance(text, str):
        return None
    match = _ORIGIN.fullmatch(text.strip().lower().rstrip("/"))
    if match is None or ".." in match["host"]:
        return None
    port = match["port"]
    if port is not None and not 0 < int(port) < 65536:
        return None
    origin = f"{match['scheme']}://{match['host']}"
    if port and port != DEFAULT_PORTS[match["scheme"]]:
        origin += f":{int(port)}"
    return origin


def allowed_origins(entries: Iterable[object] | None) -> list[str]:
    """The valid entries of an ``allowedDomains`` list, canonical and without repeats."""
    seen: dict[str, None] = {}
    for entry in entries or ():
        origin = normalize_origin(entry)
        if origin:
            seen.setdefault(origin, None)
    return list(seen)


def is_allowed(origin: str | None, allowed: Iterable[str]) -> bool:
    """Whether a concrete origin (no wildcard) matches one of the allowed ones."""
    origin = normalize_origin(origin)
    if origin is None or "*" in origin:
        return False
    for pattern in allowed:
        if origin == pattern:
            return True
        if "*." in pattern:
            scheme, rest = pattern.split("://*.", 1)
            if origin.startswith(scheme + "://") and origin.endswith("." + rest):
                return True
    return False


def frame_ancestors(allowed: Iterable[str]) -> str:
    """The ``frame-ancestors`` directive for these origins; none means nobody may frame."""
    sources = " ".join(allowed)
    return f"frame-ancestors {sources}" if sources else "frame-ancestors 'none'"
