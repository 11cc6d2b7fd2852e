"""The sandbox: a test provider that moves no money, for development, demos and tests.

It checks a card form the way a gateway would (a Luhn-valid number, an expiry MM/YY that has
not passed, a CVC of 3 or 4 digits) and knows two cards: 4242 4242 4242 4242 is paid,
4000 0000 0000 0002 is declined. Any other card is refused as input, with a hint naming
the two.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.payments.base import CardField, Checkout, Outcome, PaymentRequest

SUCCEEDS = "4242424242424242"
DECLINED = "4000000000000002"
TEST_CARDS = {SUCCEEDS: True, DECLINED: False}
DECLINED_REASON = "card_declined"

# Arabic-Indic and Persian digits, as a phone's Arabic keyboard types them.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
_NUMBER = re.compile(r"[0-9 ]{12,23}")
_EXPIRY = re.compile(r"(?P<month>[0-9]{1,2})\s*/\s*(?P<year>[0-9]{2}|[0-9]{4})")
_CVC = re.compile(r"[0-9]{3,4}")


def spaced(number: str) -> str:
    """A card number in groups of four, as printed on the card; isolated left to right, so
    the groups keep their order inside Arabic text."""
    return "\u2066" + " ".join(number[i : i + 4] for i in range(0, len(number), 4)) + "\u2069"


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


class SandboxProvider:
    name = "sandbox"
    label = _l("Sandbox card payment")
    test_mode = True

    def form_fields(self) -> list[CardField]:
        return [
            CardField(
                "number",
                _l("Card number"),
                autocomplete="cc-number",
                inputmode="numeric",
                placeholder="4242 4242 4242 4242",
                maxlength=23,
            ),
            CardField(
                "expiry",
                _l("Expiry date (MM/YY)"),
                autocomplete="cc-exp",
                inputmode="numeric",
                placeholder="MM/YY",
                maxlength=7,
            ),
            CardField(
                "cvc",
                _l("Security code (CVC)"),
                autocomplete="cc-csc",
                inputmode="numeric",
                placeholder="123",
                maxlength=4,
            ),
        ]

    def start(self, request: PaymentRequest) -> Checkout:
        return Checkout(redirect_url=None)  # our own page takes the card

    def charge(self, request: PaymentRequest, form: Mapping[str, str]) -> Outcome:
        number, errors = self._check(request, form)
        if errors:
            return Outcome(ok=False, errors=errors)
        last4 = number[-4:]
        if TEST_CARDS[number]:
            return Outcome(ok=True, reference="sbx_" + secrets.token_hex(8), card_last4=last4)
        return Outcome(ok=False, reason=DECLINED_REASON, card_last4=last4)

    def _check(self, request: PaymentRequest, form: Mapping[str, str]) -> tuple[str, dict]:
        errors: dict[str, str] = {}
        form = {key: (value or "").translate(_DIGITS) for key, value in form.items()}
        raw = (form.get("number") or "").strip()
        number = raw.replace(" ", "")
        if not _NUMBER.fullmatch(raw) or not 12 <= len(number) <= 19 or not luhn_valid(number):
            errors["number"] = _("Enter a valid card number.")
        elif number not in TEST_CARDS:
            errors["number"] = _(
                "Use a sandbox test card: %(paid)s is paid, %(declined)s is declined.",
                paid=spaced(SUCCEEDS),
                declined=spaced(DECLINED),
            )
        expiry = _EXPIRY.fullmatch((form.get("expiry") or "").strip())
        if expiry is None or not 1 <= int(expiry["month"]) <= 12:
            errors["expiry"] = _("Enter the expiry date as MM/YY.")
        else:
            year = int(expiry["year"])
            year = year + 2000 if year < 100 else year
            if (year, int(expiry["month"])) < (request.now.year, request.now.month):
                errors["expiry"] = _("This card has expired.")
        if not _CVC.fullmatch((form.get("cvc") or "").strip()):
            errors["cvc"] = _("Enter the 3 or 4 digits of the security code.")
        return number, errors
