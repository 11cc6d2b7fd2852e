"""Where webhooks may be sent: checks made when an address is registered.

An address must be ``https://`` and name a host on the public internet. Literal addresses
are checked here; names are resolved and checked again by :mod:`webapp.notify.http`, which
connects to the address it checked. ``allow_loopback`` (``WEBHOOKS_ALLOW_LOOPBACK``,
development and tests only) lets ``http://localhost``-style addresses through.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Mapping
from urllib.parse import urlsplit

from flask_babel import gettext as _

from webapp.booking.errors import ValidationFailed

MAX_URL = 2000
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
# Names that never lead to the public internet (RFC 6761, 6762, 8375 and common practice).
PRIVATE_SUFFIXES = (
    ".localhost",
    ".local",
    ".localdomain",
    ".internal",
    ".intranet",
    ".lan",
    ".home",
    ".corp",
    ".private",
    ".home.arpa",
    ".invalid",
    ".test",
    ".example",
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# IPv6 ranges this Python still calls global: IPv4-compatible (deprecated, ``::127.0.0.1``),
# local-use NAT64 (RFC 8215), documentation (RFC 9637) and SRv6 SIDs (RFC 9602).
NOT_GLOBAL_V6 = tuple(
    ipaddress.ip_network(n) for n in ("::/96", "64:ff9b:1::/48", "3fff::/20", "5f00::/16")
)
LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def loopback_allowed(config: Mapping) -> bool:
    """Whether the app lets webhooks and outside calendars use loopback addresses
    (``WEBHOOKS_ALLOW_LOOPBACK``; a test may set it as text)."""
    value = config.get("WEBHOOKS_ALLOW_LOOPBACK")
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def check_webhook_url(url: object, *, allow_loopback: bool = False, field: str = "url") -> str:
    """The address, trimmed, when webhooks may be sent there; else :class:`ValidationFailed`
    naming ``field``."""
    if not isinstance(url, str) or not url.strip():
        raise ValidationFailed(_("Give the address webhooks are sent to."), field=field)
    url = url.strip()
    if len(url) > MAX_URL or not is_plain_url(url):
        raise ValidationFailed(_("This is not a web address."), field=field)
    try:
        parts = urlsplit(url)
        port = parts.port
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        raise ValidationFailed(_("This is not a web address."), field=field) from None
    if parts.scheme not in {"https", "http"} or not host:
        raise ValidationFailed(
            _("Webhook addresses start with https:// and name a host."), field=field
        )
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValidationFailed(_("Leave user names and passwords out of the address."), field=field)
    name = normal_host(host)
    if port == 0 or name is None:
        raise ValidationFailed(_("This is not a web address."), field=field)
    loopback = is_loopback_host(name)
    if loopback and allow_loopback:
        return url
    if parts.scheme != "https":
        raise ValidationFailed(_("Webhook addresses must start with https://."), field=field)
    if loopback or not is_public_host(name):
        raise ValidationFailed(
            _("%(host)s is not on the public internet; webhooks cannot be sent there.", host=host),
            field=field,
        )
    return url


def is_plain_url(url: str) -> bool:
    """No spaces, control characters or backslashes, which URL parsers read differently
    (a browser takes ``https://a.com\\@10.0.0.1/`` for a.com, Python for 10.0.0.1)."""
    return not any(c.isspace() or ord(c) < 32 or ord(c) == 127 or c == "\\" for c in url)


def normal_host(host: str) -> str | None:
    """The host as it is resolved and named in ``Host``: lower case, no final dot, IDNA
    (``ＡＢ.com`` -> ``ab.com``), an IP address in its usual spelling (``127.1`` -> ``127.0.0.1``).
    None when it is no host: percent signs, IPv6 zones, odd characters, or a name ending in a
    number that is no IPv4 address (``256.1.1.1``), which resolvers read in their own ways."""
    host = host.lower().rstrip(".")
    if ":" in host:
        try:
            return None if "%" in host else str(ipaddress.IPv6Address(host))
        except ValueError:
            return None
    try:
        name = host.encode("idna").decode("ascii").lower().rstrip(".")
    except UnicodeError:
        return None
    address = literal_address(name)
    if address is not None:
        return str(address)
    labels = name.split(".")
    if not all(LABEL.fullmatch(label) for label in labels) or NUMERIC_LABEL.fullmatch(labels[-1]):
        return None
    return name


def literal_address(host: str) -> IPAddress | None:
    """``host`` as an IP address when it is one, including the short and numeric IPv4
    spellings resolvers accept (``127.1``, ``2130706433``, ``0x7f.0.0.1``)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefx." for c in host.lower()) and host[0].isdigit():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def is_loopback_host(host: str) -> bool:
    host = normal_host(host) or ""
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    address = literal_address(host)
    return address is not None and address.is_loopback


def is_public_address(address: IPAddress) -> bool:
    """A global unicast address, also when an IPv4 address hides inside an IPv6 one."""
    if not address.is_global or address.is_multicast:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id or any(address in network for network in NOT_GLOBAL_V6):
            return False
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address in NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None:
            return is_public_address(inner)
    return True


def is_public_host(host: str) -> bool:
    """Whether a host could be on the public internet (names are not resolved here)."""
    ascii_host = normal_host(host)
    if ascii_host is None:
        return False
    address = literal_address(ascii_host)
    if address is not None:
        return is_public_address(address)
    if "." not in ascii_host or ascii_host in LOOPBACK_NAMES:
        return False
    return not any(ascii_host.endswith(suffix) for suffix in PRIVATE_SUFFIXES)
