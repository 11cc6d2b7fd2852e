"""What a payment provider is to the rest of Mawid: a few small value types and a protocol.

The payment pages (``webapp/public/pay.py``) know only this module. They ask the provider
for the fields of its card form, or for a page of its own to send the customer to, and they
record the outcome on the invoice through the booking service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class CardField:
    """One input of a card form that our own payment page shows."""

    name: str
    label: str
    autocomplete: str = "off"
    inputmode: str = "text"
    placeholder: str = ""
    maxlength: int = 32
    hint: str = ""


@dataclass(frozen=True)
class PaymentRequest:
    """What is being paid: an invoice's amount due now, and where the customer comes back to."""

    invoice_id: str
    invoice_number: int
    amount: Decimal
    currency: str
    description: str
    now: datetime
    return_url: str = ""
    cancel_url: str = ""


@dataclass(frozen=True)
class Checkout:
    """How a payment starts: at the gateway's own page (``redirect_url``) or, with None, on
    our page with the provider's card form."""

    redirect_url: str | None = None


@dataclass(frozen=True)
class Outcome:
    """The answer to a charge. ``errors`` (by field name) means the input was not usable and
    nothing was attempted; otherwise ``ok`` says whether the money was taken, ``reason`` (a
    short code such as ``card_declined``) why not."""

    ok: bool
    reference: str | None = None
    reason: str | None = None
    card_last4: str | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def is_bad_input(self) -> bool:
        return bool(self.errors)


class PaymentProvider(Protocol):
    name: str  # stored on each payment ("sandbox", "stripe", ...)
    label: str  # shown to the customer
    test_mode: bool  # no real money moves: the page says so

    def form_fields(self) -> list[CardField] | None:
        """The inputs our page asks for; None when the gateway hosts the card form."""
        ...

    def start(self, request: PaymentRequest) -> Checkout: ...

    def charge(self, request: PaymentRequest, form: Mapping[str, str]) -> Outcome: ...
