"""Outbound calls to customer-chosen addresses: nothing goes to a host off the public
internet, the connection goes to the address that was checked, redirects are not followed,
slow or huge answers are cut short. No test needs DNS or the internet: names are resolved
from a table, and real requests only go to servers on 127.0.0.1."""

from __future__ import annotations

import datetime
import errno
import ipaddress
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import certifi
import pytest
import urllib3.util.connection
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from webapp.notify import http as outbound
from webapp.notify.http import Refused, Unreachable

HOOK_HOST = "hooks.test-mawid.example"
PUBLIC_IP = "93.184.215.14"  # a global address; no test connects to it

# Names the fake resolver knows.
DNS_TABLE = {
    "crm.example.com": [PUBLIC_IP],
    "loop.example.com": ["127.0.0.1"],
    "intranet.example.com": ["10.0.0.5"],
    "mixed.example.com": [PUBLIC_IP, "10.0.0.5"],
    "mapped.example.com": ["::ffff:169.254.169.254"],
    "nat64.example.com": ["64:ff9b::a9fe:a9fe"],
    "linklocal.example.com": ["fe80::1"],
    "cgnat.example.com": ["100.100.100.200"],
    "loop-and-private.example.com": ["127.0.0.1", "192.168.0.10"],
    "metadata.google.internal": ["169.254.169.254"],
    "printer.lan": [PUBLIC_IP],
}


@pytest.fixture(autouse=True)
def no_real_dns(monkeypatch):
    """Only numeric hosts reach the real resolver (urllib3 passes it the checked address)."""
    real = socket.getaddrinfo

    def numeric_only(host, *args, **kwargs):
        ipaddress.ip_address(host)  # a name here would be a real DNS lookup: fail the test
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", numeric_only)


@pytest.fixture
def dns(monkeypatch):
    """``outbound.resolve`` answers from a table; every lookup is recorded."""
    table = {name: list(found) for name, found in DNS_TABLE.items()}
    calls = []

    def fake_resolve(host, port):
        calls.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [ipaddress.ip_address(a) for a in table[host]]

    monkeypatch.setattr(outbound, "resolve", fake_resolve)
    return SimpleNamespace(table=table, calls=calls)


@pytest.fixture
def connections(monkeypatch):
    """Every connection attempt is recorded and refused: nothing leaves the machine."""
    attempts = []

    def refuse(address, *args, **kwargs):
        attempts.append(address)
        raise ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", refuse)
    return attempts


# -- refused before anything is resolved or connected ------------------------------------------

LITERAL_AND_MALFORMED = [
    "https://127.0.0.1/",
    "https://127.1/",
    "https://0x7f.1/",
    "https://2130706433/",
    "https://017700000001/",
    "https://0177.0.0.1/",
    "https://0.0.0.0/",
    "https://0/",
    "https://[::1]/",
    "https://[::]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:7f00:1]/",
    "https://[::7f00:1]/",
    "https://[64:ff9b::7f00:1]/",
    "https://[64:ff9b:1::a00:1]/",
    "https://[2002:7f00:1::]/",
    "https://10.0.0.1/",
    "https://172.16.0.1/",
    "https://192.168.1.1/",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/",
    "https://100.100.100.200/latest/meta-data/",
    "https://[fe80::1]/",
    "https://[fe80::1%25eth0]/",
    "https://[fc00::1]/",
    "https://[fd00:ec2::254]/latest/meta-data/",
    "https://224.0.0.1/",
    "https://255.255.255.255/",
    "https://198.18.0.1/",
    "https://256.256.256.256/",
    "https://localhost/",
    "https://foo.localhost/",
    "https://LOCALHOST./",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://printer.lan/",
    "https://intranet/",
    "https://%31%32%37.0.0.1/",
    "http://%31%32%37.0.0.1/",
    "https://example.com@127.0.0.1/",
    "https://user:pass@crm.example.com/",
    "https://127.0.0.1#@crm.example.com/",
    "https://crm.example.com\\@127.0.0.1/",
    "https://\uff11\uff12\uff17.\uff10.\uff10.\uff11/",  # full-width digits
    "https://127\u30020\u30020\u30021/",  # ideographic full stops
    "https://crm.example.com:0/",
    "https://crm.example.com:99999/",
    "https://crm.example.com/a b",
    "file:///etc/passwd",
    "gopher://127.0.0.1:70/_GET",
    "ftp://crm.example.com/",
    "dict://127.0.0.1:11211/stats",
    "javascript:alert(1)",
    "http://crm.example.com/",
    "https://crm.example.com/" + "a" * 2000,
]


@pytest.mark.parametrize("url", LITERAL_AND_MALFORMED)
def test_addresses_off_the_public_internet_are_refused_before_any_lookup(url, dns, connections):
    with pytest.raises(Refused) as refused:
        outbound.send("POST", url, body=b"{}")
    assert refused.value.reason
    assert dns.calls == []
    assert connections == []


NAMES_TO_PRIVATE_ADDRESSES = [
    ("https://loop.example.com/", "127.0.0.1"),
    ("https://intranet.example.com/", "10.0.0.5"),
    ("https://mixed.example.com/", "10.0.0.5"),
    ("https://mapped.example.com/", "::ffff:a9fe:a9fe"),
    ("https://nat64.example.com/", "64:ff9b::a9fe:a9fe"),
    ("https://linklocal.example.com/", "fe80::1"),
    ("https://cgnat.example.com/", "100.100.100.200"),
]


@pytest.mark.parametrize(("url", "address"), NAMES_TO_PRIVATE_ADDRESSES)
def test_names_resolving_to_any_private_address_are_refused(url, address, dns, connections):
    with pytest.raises(Refused) as refused:
        outbound.send("POST", url, body=b"{}")
    assert address in refused.value.reason
    assert len(dns.calls) == 1
    assert connections == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0:5000/",
        "http://[::ffff:127.0.0.1]:5000/",
        "http://[fe80::1]/",
        "https://loop-and-private.example.com/",
        "https://metadata.google.internal/",
        "http://crm.example.com/",
        "https://printer.lan/",
    ],
)
def test_allowing_loopback_lets_nothing_else_through(url, dns, connections):
    with pytest.raises(Refused):
        outbound.send("GET", url, allow_loopback=True)
    assert connections == []


def test_a_name_that_cannot_be_found_is_unreachable(dns, connections):
    with pytest.raises(Unreachable) as unreachable:
        outbound.send("POST", "https://gone.example.com/hook", body=b"{}")
    assert "gone.example.com" in unreachable.value.reason
    assert connections == []


def test_the_real_resolver_failing_is_unreachable(monkeypatch, connections):
    def no_such_name(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    with pytest.raises(Unreachable) as unreachable:
        outbound.send("GET", "https://crm.example.com/feed.ics")
    assert unreachable.value.reason == ("could not find crm.example.com: Name or service not known")
    assert connections == []


def test_the_resolver_gives_every_address_once(monkeypatch):
    answers = [
        (
            socket.AF_INET6,
            socket.SOCK_STREAM,
            6,
            "",
            ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", 443, 0, 0),
        ),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC_IP, 443)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC_IP, 443)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers)
    assert outbound.resolve("crm.example.com", 443) == [
        ipaddress.ip_address("2606:2800:21f:cb07:6820:80da:af6b:8b2c"),
        ipaddress.ip_address(PUBLIC_IP),
    ]


def test_the_connection_goes_to_the_address_that_was_checked(monkeypatch, connections):
    """A name that answers a public address, then loopback (DNS rebinding), is looked up
    once; the connection goes to the public address that passed the check."""
    answers = iter([[ipaddress.ip_address(PUBLIC_IP)], [ipaddress.ip_address("127.0.0.1")]])
    lookups = []

    def rebinding(host, port):
        lookups.append((host, port))
        return next(answers)

    monkeypatch.setattr(outbound, "resolve", rebinding)
    with pytest.raises(Unreachable) as unreachable:
        outbound.send("POST", "https://crm.example.com/hook", body=b"{}")
    assert lookups == [("crm.example.com", 443)]
    assert connections == [(PUBLIC_IP, 443)]
    assert "Connection refused" in unreachable.value.reason


def test_every_address_of_a_name_is_checked_and_tried_in_order(dns, connections):
    dns.table["crm.example.com"] = ["2606:2800:21f:cb07:6820:80da:af6b:8b2c", PUBLIC_IP]
    with pytest.raises(Unreachable):
        outbound.send("GET", "https://crm.example.com:8443/feed.ics")
    assert connections == [
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", 8443),
        (PUBLIC_IP, 8443),
    ]


# -- real exchanges with a server on loopback --------------------------------------------------


class _Hooks(BaseHTTPRequestHandler):
    """Answers by path; each request is recorded on the server."""

    def do_GET(self):
        self._answer()

    def do_POST(self):
        self._answer()

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.seen.append(
            SimpleNamespace(
                method=self.command,
                path=self.path,
                headers=dict(self.headers),
                body=self.rfile.read(length),
            )
        )
        try:
            if self.path == "/start":
                port = self.server.server_address[1]
                self._send(302, b"", Location=f"http://127.0.0.1:{port}/target")
            elif self.path == "/slow":
                self.server.release.wait(10)
                self._send(200, b"late")
            elif self.path == "/big":
                self._send(200, b"x" * 200_000)
            elif self.path == "/trickle":
                self._trickle(100)
            else:
                self._send(200, b'{"ok": true}', **{"X-Receiver": "crm"})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the caller gave up first

    def _send(self, status, body, **headers):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _trickle(self, size):
        """One byte of the body every 0.1 s, each wait well within any timeout."""
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        for _ in range(size):
            self.wfile.write(b".")
            if self.server.release.wait(0.1):
                return

    def log_message(self, *args):
        pass


def _serve(tls_context=None):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hooks)
    server.daemon_threads = True
    server.seen = []
    server.release = threading.Event()
    if tls_context is not None:
        server.socket = tls_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    return server, thread


def _stop(server, thread):
    server.release.set()
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture
def receiver(dns):
    """A web server on 127.0.0.1 that ``hooks.test-mawid.example`` resolves to."""
    server, thread = _serve()
    dns.table[HOOK_HOST] = ["127.0.0.1"]
    server.base = f"http://{HOOK_HOST}:{server.server_address[1]}"
    yield server
    _stop(server, thread)


def test_the_request_reaches_the_checked_address_with_the_named_host(receiver):
    answer = outbound.send(
        "POST",
        receiver.base + "/hook?attempt=1",
        body=b'{"type": "bookingCreated"}',
        headers={"Content-Type": "application/json", "host": "evil.example"},
        allow_loopback=True,
    )
    assert answer.status == 200
    assert answer.body == b'{"ok": true}'
    assert answer.headers["x-receiver"] == "crm"
    assert answer.headers["content-type"] == "application/json"
    assert isinstance(answer.duration_ms, int) and answer.duration_ms >= 0
    [request] = receiver.seen
    assert request.method == "POST"
    assert request.path == "/hook?attempt=1"
    assert request.headers["Host"] == f"{HOOK_HOST}:{receiver.server_address[1]}"
    assert request.body == b'{"type": "bookingCreated"}'


def test_loopback_needs_the_development_setting(receiver, connections):
    with pytest.raises(Refused):
        outbound.send("POST", receiver.base + "/hook", body=b"{}")
    assert receiver.seen == []


def test_a_redirect_is_returned_not_followed(receiver):
    answer = outbound.send("GET", receiver.base + "/start", allow_loopback=True)
    assert answer.status == 302
    assert answer.headers["location"].endswith("/target")
    assert [request.path for request in receiver.seen] == ["/start"]


def test_a_slow_server_is_unreachable_after_the_timeout(receiver):
    with pytest.raises(Unreachable) as unreachable:
        outbound.send("GET", receiver.base + "/slow", allow_loopback=True, timeout=0.3)
    assert unreachable.value.reason == "no answer within 0.3 s"


def test_a_trickling_answer_is_cut_at_the_timeout(receiver):
    with pytest.raises(Unreachable) as unreachable:
        outbound.send("GET", receiver.base + "/trickle", allow_loopback=True, timeout=0.5)
    assert unreachable.value.reason == "no answer within 0.5 s"


def test_a_long_body_is_cut_at_max_bytes(receiver):
    answer = outbound.send("GET", receiver.base + "/big", allow_loopback=True, max_bytes=1000)
    assert answer.status == 200
    assert answer.body == b"x" * 1000
    assert answer.headers["content-length"] == "200000"


def test_a_refusing_address_gives_way_to_the_next_checked_one(receiver, dns, monkeypatch):
    dns.table[HOOK_HOST] = ["127.0.0.2", "127.0.0.1"]
    real = urllib3.util.connection.create_connection
    tried = []

    def first_refuses(address, *args, **kwargs):
        tried.append(address[0])
        if address[0] == "127.0.0.2":
            raise ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", first_refuses)
    answer = outbound.send("POST", receiver.base + "/hook", body=b"{}", allow_loopback=True)
    assert answer.status == 200
    assert tried == ["127.0.0.2", "127.0.0.1"]


def test_a_closed_port_is_unreachable():
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    with pytest.raises(Unreachable) as unreachable:
        outbound.send("GET", f"http://127.0.0.1:{port}/", allow_loopback=True)
    assert unreachable.value.reason.startswith(f"could not connect to 127.0.0.1 port {port}")


# -- TLS is checked against the name, while the connection goes to the checked address --------


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A private certificate authority and a server certificate for ``HOOK_HOST``."""
    folder = tmp_path_factory.mktemp("tls")
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    end = start + datetime.timedelta(days=30)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Mawid test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOOK_HOST)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOOK_HOST)]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "server.pem").write_bytes(
        leaf.public_bytes(pem)
        + key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return SimpleNamespace(ca=str(folder / "ca.pem"), server=str(folder / "server.pem"))


@pytest.fixture
def tls_receiver(dns, certificates):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates.server)
    server, thread = _serve(context)
    dns.table[HOOK_HOST] = ["127.0.0.1"]
    dns.table["other.test-mawid.example"] = ["127.0.0.1"]
    server.port = server.server_address[1]
    yield server
    _stop(server, thread)


def test_tls_is_verified_against_the_host_name(tls_receiver, certificates, monkeypatch):
    monkeypatch.setattr(certifi, "where", lambda: certificates.ca)
    url = f"https://{HOOK_HOST}:{tls_receiver.port}/hook"
    answer = outbound.send("POST", url, body=b"{}", allow_loopback=True)
    assert answer.status == 200
    assert tls_receiver.seen[0].headers["Host"] == f"{HOOK_HOST}:{tls_receiver.port}"


def test_tls_for_another_name_fails(tls_receiver, certificates, monkeypatch):
    monkeypatch.setattr(certifi, "where", lambda: certificates.ca)
    url = f"https://other.test-mawid.example:{tls_receiver.port}/hook"
    with pytest.raises(Unreachable) as unreachable:
        outbound.send("POST", url, body=b"{}", allow_loopback=True)
    assert unreachable.value.reason.startswith("secure connection to other.test-mawid.example")
    assert tls_receiver.seen == []


def test_tls_from_an_unknown_authority_fails(tls_receiver):
    url = f"https://{HOOK_HOST}:{tls_receiver.port}/hook"
    with pytest.raises(Unreachable) as unreachable:
        outbound.send("POST", url, body=b"{}", allow_loopback=True)
    assert "certificate" in unreachable.value.reason
    assert tls_receiver.seen == []
