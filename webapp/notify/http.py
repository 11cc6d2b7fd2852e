"""Outbound HTTP to addresses customers choose: webhook endpoints and calendar feeds.

This is the only way the app calls such addresses. Before anything is sent, the host is
resolved once and every address it has must be on the public internet (see
:mod:`webapp.notify.destinations`); the connection then goes to an address that was checked,
never to a second lookup, so a name cannot be pointed elsewhere between the check and the
call. TLS still verifies the certificate against the host's name. A redirect is an answer
like any other: it is returned, not followed. ``allow_loopback`` (``WEBHOOKS_ALLOW_LOOPBACK``,
development and tests only) also lets loopback addresses through, over ``http://`` too.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import certifi
import urllib3
from urllib3.exceptions import ConnectTimeoutError, HTTPError, ReadTimeoutError, SSLError

from webapp.notify.destinations import (
    MAX_URL,
    IPAddress,
    is_loopback_host,
    is_plain_url,
    is_public_address,
    is_public_host,
    literal_address,
    normal_host,
)

DEFAULT_PORTS = {"https": 443, "http": 80}
USER_AGENT = "Mawid"
# Addresses of one name tried in turn when connecting fails (IPv6 first on an IPv4-only host).
MAX_ADDRESSES = 4
READ_CHUNK = 16 * 1024
_PATH_SAFE = "/%!$&'()*+,;=:@-._~"


class DeliveryError(Exception):
    """A request that was not sent or not answered; ``reason`` is a line for the delivery log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Refused(DeliveryError):
    """The destination is not allowed; nothing was sent."""


class Unreachable(DeliveryError):
    """The destination could not be found or reached, or did not answer in time."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes  # at most ``max_bytes``; the rest was not read
    duration_ms: int


@dataclass(frozen=True)
class _Destination:
    scheme: str
    host: str  # as :func:`normal_host` spells it
    port: int
    target: str  # path and query
    public_name: bool  # a name that could be on the public internet (not localhost, .internal)

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` has for TCP, in the resolver's order, without repeats."""
    found: list[IPAddress] = []
    for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = ipaddress.ip_address(sockaddr[0])
        if address not in found:
            found.append(address)
    return found


def send(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    allow_loopback: bool = False,
    timeout: float = 10.0,
    max_bytes: int = 64 * 1024,
) -> Answer:
    """Make one request and return the answer, whatever its status (3xx included).

    ``timeout`` bounds the whole exchange: connecting, waiting and reading the body.
    Raises :class:`Refused` before any connection when the destination is not allowed, and
    :class:`Unreachable` when it cannot be found, reached or does not answer in time.
    """
    destination = _destination(url, allow_loopback)
    addresses = _checked_addresses(destination, allow_loopback)
    request_headers = {
        "User-Agent": USER_AGENT,
        "Accept-Encoding": "identity",
        **{k: v for k, v in (headers or {}).items() if k.lower() != "host"},
        "Host": destination.host_header,
    }
    deadline = time.monotonic() + timeout
    failures = []
    for address in addresses[:MAX_ADDRESSES]:
        try:
            return _exchange(
                destination, address, method.upper(), body, request_headers, deadline, max_bytes
            )
        except ConnectTimeoutError as error:  # also a refused connection: try the next address
            failures.append(f"{address} port {destination.port}: {_cause(error)}")
            if time.monotonic() >= deadline:
                break
        except ReadTimeoutError:
            raise Unreachable(f"no answer within {timeout:g} s") from None
        except SSLError as error:
            raise Unreachable(
                f"secure connection to {destination.host} failed: {_cause(error)}"
            ) from None
        except (HTTPError, OSError, http.client.HTTPException) as error:
            raise Unreachable(
                f"{destination.host} did not answer properly: {_cause(error)}"
            ) from None
    raise Unreachable("could not connect to " + "; ".join(failures))


def _destination(url: str, allow_loopback: bool) -> _Destination:
    """The parts of ``url`` to call, or :class:`Refused` for anything but a plain web address
    of an allowed host (literal addresses are checked here, names after resolving)."""
    if not isinstance(url, str) or len(url) > MAX_URL or not is_plain_url(url):
        raise Refused("this is not a web address")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused("this is not a web address") from None
    if parts.scheme not in DEFAULT_PORTS or (parts.scheme == "http" and not allow_loopback):
        raise Refused("only https:// addresses can be called")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise Refused("user names and passwords are not allowed in the address")
    host = normal_host(parts.hostname or "")
    if not host or port == 0:
        raise Refused("this is not a web address")
    address = literal_address(host)
    if address is not None:
        _check(host, [address], allow_loopback, parts.scheme)
    public_name = address is None and not is_loopback_host(host) and is_public_host(host)
    if address is None and not public_name and not allow_loopback:
        raise Refused(f"{host} is not on the public internet")
    target = quote(parts.path or "/", safe=_PATH_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=_PATH_SAFE + "?")
    return _Destination(
        parts.scheme, host, port or DEFAULT_PORTS[parts.scheme], target, public_name
    )


def _checked_addresses(destination: _Destination, allow_loopback: bool) -> list[IPAddress]:
    """The addresses to connect to, from one lookup, each of them allowed."""
    address = literal_address(destination.host)
    if address is not None:
        return [address]
    try:
        addresses = resolve(destination.host, destination.port)
    except (OSError, UnicodeError) as error:
        raise Unreachable(f"could not find {destination.host}: {_cause(error)}") from None
    if not addresses:
        raise Unreachable(f"could not find {destination.host}")
    _check(destination.host, addresses, allow_loopback, destination.scheme)
    if not destination.public_name and not all(a.is_loopback for a in addresses):
        # A private-looking name (allowed only with loopback) must lead to loopback only.
        raise Refused(f"{destination.host} is not on the public internet")
    return addresses


def _check(host: str, addresses: list[IPAddress], allow_loopback: bool, scheme: str) -> None:
    for address in addresses:
        if not (is_public_address(address) or (allow_loopback and address.is_loopback)):
            where = "" if str(address) == host else f" resolves to {address}, which"
            raise Refused(f"{host}{where} is not on the public internet")
    if scheme != "https" and not all(address.is_loopback for address in addresses):
        raise Refused("only https:// addresses can be called")


def _exchange(
    destination: _Destination,
    address: IPAddress,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    deadline: float,
    max_bytes: int,
) -> Answer:
    """One request to exactly ``address``; the connection is closed afterwards."""
    timeout = urllib3.Timeout(total=max(deadline - time.monotonic(), 0.001))
    options = {"port": destination.port, "timeout": timeout, "retries": False, "maxsize": 1}
    if destination.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            str(address),
            server_hostname=destination.host,
            assert_hostname=destination.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            **options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(str(address), **options)
    started = time.monotonic()
    try:
        response = pool.urlopen(
            method,
            destination.target,
            body=body,
            headers=headers,
            redirect=False,
            retries=False,
            assert_same_host=False,
            preload_content=False,
            decode_content=False,
            release_conn=False,
        )
        try:
            data = _read(response, max_bytes, deadline)
        finally:
            response.close()
    finally:
        pool.close()
    return Answer(
        status=response.status,
        headers={name.lower(): response.headers[name] for name in response.headers},
        body=data,
        duration_ms=round((time.monotonic() - started) * 1000),
    )


def _read(response: urllib3.BaseHTTPResponse, max_bytes: int, deadline: float) -> bytes:
    """Up to ``max_bytes`` of the body, each wait no longer than what is left of the time."""
    sock = getattr(response.connection, "sock", None)
    chunks: list[bytes] = []
    size = 0
    while size < max_bytes:
        left = deadline - time.monotonic()
        if left <= 0:
            raise ReadTimeoutError(None, None, "the body took too long")
        if sock is not None:
            sock.settimeout(left)
        chunk = response.read1(min(READ_CHUNK, max_bytes - size), decode_content=False)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _cause(error: BaseException) -> str:
    """The innermost message of an error chain, short enough for a log line."""
    for _ in range(10):
        inner = error.__cause__ or next(
            (arg for arg in error.args if isinstance(arg, BaseException)), None
        )
        if inner is None:
            break
        error = inner
    text = getattr(error, "verify_message", None) or (
        error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    )
    return (text or type(error).__name__)[:200]
