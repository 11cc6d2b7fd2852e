"""Where webhooks may be sent: checks made when an address is registered.

An address must be ``https://`` and name a host on the public internet. Literal addresses
are checked here; names are resolved and checked again by the sender, which connects to the
address it checked. ``allow_loopback`` (``WEBHOOKS_ALLOW_LOOPBACK``, development and tests
only) lets ``http://localhost``-style addresses through.
"""

from __future__ import annotations

import ipaddress
import socket
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

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def check_webhook_url(url: object, *, allow_loopback: bool = False, field: str = "url") -> str:
    """The address, trimmed, when webhooks may be sent there; else :class:`ValidationFailed`
    naming ``field``."""
    if not isinstance(url, str) or not url.strip():
        raise ValidationFailed(_("Give the address webhooks are sent to."), field=field)
    url = url.strip()
    if len(url) > MAX_URL or any(c.isspace() or ord(c) < 32 for c in url):
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
    if parts.username is not None or parts.password is not None:
        raise ValidationFailed(_("Leave user names and passwords out of the address."), field=field)
    if port == 0:
        raise ValidationFailed(_("This is not a web address."), field=field)
    loopback = is_loopback_host(host)
    if loopback and allow_loopback:
        return url
    if parts.scheme != "https":
        raise ValidationFailed(_("Webhook addresses must start with https://."), field=field)
    if loopback or not is_public_host(host):
        raise ValidationFailed(
            _("%(host)s is not on the public internet; webhooks cannot be sent there.", host=host),
            field=field,
        )
    return url


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
    host = host.lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    address = literal_address(host)
    return address is not None and address.is_loopback


def is_public_address(address: IPAddress) -> bool:
    """A global unicast address, also when an IPv4 address hides inside an IPv6 one."""
    if not address.is_global or address.is_multicast:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address in NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None:
            return is_public_address(inner)
    return True


def is_public_host(host: str) -> bool:
    """Whether a host could be on the public internet (names are not resolved here)."""
    host = host.lower()
    address = literal_address(host)
    if address is not None:
        return is_public_address(address)
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    if "." not in ascii_host or ascii_host in LOOPBACK_NAMES:
        return False
    return not any(ascii_host.endswith(suffix) for suffix in PRIVATE_SUFFIXES)
