"""The sandbox provider on its own: which cards it takes, which it declines, and what it
refuses as input before anything is attempted."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from webapp import payments
from webapp.payments.sandbox import SandboxProvider, luhn_valid

NOW = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
REQUEST = payments.PaymentRequest(
    invoice_id="inv-1",
    invoice_number=7,
    amount=Decimal("50.00"),
    currency="SAR",
    description="Consultation",
    now=NOW,
)
GOOD = {"number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123"}


@pytest.fixture
def sandbox():
    return SandboxProvider()


def test_the_card_4242_is_paid(sandbox):
    outcome = sandbox.charge(REQUEST, GOOD)
    assert outcome.ok and not outcome.errors
    assert outcome.card_last4 == "4242"
    assert outcome.reference.startswith("sbx_")
    assert sandbox.charge(REQUEST, GOOD).reference != outcome.reference


def test_the_card_0002_is_declined(sandbox):
    outcome = sandbox.charge(REQUEST, {**GOOD, "number": "4000000000000002"})
    assert not outcome.ok and not outcome.is_bad_input
    assert (outcome.reason, outcome.card_last4) == ("card_declined", "0002")
    assert outcome.reference is None


@pytest.mark.parametrize(
    "form",
    [
        {"number": "4242424242424242", "expiry": "11/26", "cvc": "9999"},  # this month
        {"number": "4242 4242 4242 4242", "expiry": "01 / 2031", "cvc": "000"},
        {"number": " 4242 4242 4242 4242 ", "expiry": " 1/27 ", "cvc": " 123 "},
        {"number": "٤٢٤٢ ٤٢٤٢ ٤٢٤٢ ٤٢٤٢", "expiry": "١٢/٣٠", "cvc": "١٢٣"},  # Arabic digits
    ],
)
def test_any_future_expiry_and_any_cvc_are_taken(sandbox, form):
    assert sandbox.charge(REQUEST, form).ok


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"number": ""}, "number"),
        ({"number": "4242 4242 4242 4241"}, "number"),  # fails the Luhn check
        ({"number": "4242-4242-4242-4242"}, "number"),
        ({"number": "4242"}, "number"),
        ({"expiry": "10/26"}, "expiry"),  # last month
        ({"expiry": "00/30"}, "expiry"),
        ({"expiry": "1230"}, "expiry"),
        ({"expiry": "12/3"}, "expiry"),
        ({"cvc": "12"}, "cvc"),
        ({"cvc": "12345"}, "cvc"),
        ({"cvc": "abc"}, "cvc"),
    ],
)
def test_unusable_input_is_refused_by_field(sandbox, change, field):
    outcome = sandbox.charge(REQUEST, {**GOOD, **change})
    assert outcome.is_bad_input and not outcome.ok
    assert list(outcome.errors) == [field]


def test_a_real_looking_card_is_refused_with_the_test_cards_named(sandbox):
    outcome = sandbox.charge(REQUEST, {**GOOD, "number": "5555 5555 5555 4444"})
    assert list(outcome.errors) == ["number"]
    message = outcome.errors["number"].replace("\u2066", "").replace("\u2069", "")
    assert "4242 4242 4242 4242" in message and "4000 0000 0000 0002" in message


def test_every_field_is_reported_at_once(sandbox):
    outcome = sandbox.charge(REQUEST, {})
    assert sorted(outcome.errors) == ["cvc", "expiry", "number"]


@pytest.mark.parametrize(
    ("digits", "valid"),
    [("4242424242424242", True), ("4000000000000002", True), ("79927398713", True)]
    + [("4242424242424241", False), ("79927398710", False)],
)
def test_luhn(digits, valid):
    assert luhn_valid(digits) is valid


def test_the_sandbox_takes_cards_on_our_page_and_says_it_is_a_test(sandbox):
    assert sandbox.test_mode and sandbox.name == "sandbox"
    assert [f.name for f in sandbox.form_fields()] == ["number", "expiry", "cvc"]
    assert sandbox.start(REQUEST).redirect_url is None


def test_the_app_uses_the_configured_provider(app):
    with app.app_context():
        assert payments.provider().name == "sandbox"
        assert payments.provider() is payments.provider()
        app.config["PAYMENT_PROVIDER"] = "webapp.payments.sandbox:SandboxProvider"
        assert isinstance(payments.provider(), SandboxProvider)
        with pytest.raises(ValueError, match="PAYMENT_PROVIDER"):
            payments.provider("stripe")
