"""Where webhooks may go: https addresses of hosts on the public internet, loopback only
when the app allows it for development."""

from __future__ import annotations

import pytest

from webapp.booking.errors import ValidationFailed
from webapp.notify.destinations import check_webhook_url, is_public_host


@pytest.mark.parametrize(
    "url",
    [
        "https://crm.example.com/hooks",
        "https://hooks.example.sa:8443/mawid?token=abc",
        "https://8.8.8.8/hook",
        "https://[2001:4860:4860::8888]/hook",
        "https://مثال.السعودية/hook",
    ],
)
def test_public_https_addresses_are_accepted(url):
    assert check_webhook_url(f"  {url} ") == url


@pytest.mark.parametrize(
    "url",
    [
        "",
        "crm.example.com/hook",
        "http://crm.example.com/hook",
        "javascript:alert(1)",
        "https:///nohost",
        "https://user:secret@crm.example.com/",
        "https://crm.example.com:0/",
        "https://crm.example.com:99999/",
        "https://crm.example.com/a b",
        "https://localhost/",
        "https://api.localhost/",
        "https://127.0.0.1/",
        "https://127.1/",
        "https://2130706433/",
        "https://0x7f000001/",
        "https://0.0.0.0/",
        "https://10.0.0.5/",
        "https://172.16.3.4/",
        "https://192.168.1.1/",
        "https://100.64.0.1/",
        "https://169.254.169.254/latest/meta-data",
        "https://224.0.0.1/",
        "https://[::1]/",
        "https://[fe80::1]/",
        "https://[fd00::1]/",
        "https://[::ffff:127.0.0.1]/",
        "https://[64:ff9b::a00:1]/",
        "https://[2002:a00:1::]/",
        "https://intranet/",
        "https://nas.local/",
        "https://db.internal/",
        "https://router.home.arpa/",
        "https://" + "a" * 2000 + ".com/",
        "https://metadata.google.internal/",
        "https://0177.0.0.1/",
        "https://256.256.256.256/",
        "https://%31%32%37.0.0.1/",
        "https://crm.example.com@127.0.0.1/",
        "https://127.0.0.1#@crm.example.com/",
        "https://crm.example.com\\@127.0.0.1/",
        "https://\uff11\uff12\uff17.\uff10.\uff10.\uff11/",
        "https://127\u30020\u30020\u30021/",
        "https://[fe80::1%25eth0]/",
        "https://[::7f00:1]/",
        "https://[64:ff9b:1::a00:1]/",
        "https://[::ffff:a9fe:a9fe]/",
    ],
)
def test_addresses_off_the_public_internet_are_refused(url):
    with pytest.raises(ValidationFailed) as refused:
        check_webhook_url(url)
    assert refused.value.details["field"] == "url"


@pytest.mark.parametrize(
    "url", ["http://localhost:9000/hook", "http://127.0.0.1:5000/", "http://[::1]:8000/x"]
)
def test_loopback_is_let_through_when_allowed(url):
    assert check_webhook_url(url, allow_loopback=True) == url


@pytest.mark.parametrize(
    "url", ["http://10.0.0.5/", "http://crm.example.com/", "http://%31%32%37.0.0.1/"]
)
def test_allowing_loopback_lets_nothing_else_through(url):
    with pytest.raises(ValidationFailed):
        check_webhook_url(url, allow_loopback=True)


def test_names_are_not_resolved_here():
    assert is_public_host("crm.example.com")
    assert not is_public_host("printer")
