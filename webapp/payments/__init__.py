"""Taking payments for invoices: which provider the app uses, and the provider protocol.

``PAYMENT_PROVIDER`` names the provider: ``"sandbox"`` (the default, a test provider that
moves no money) or an import path ``"package.module:ClassName"`` whose class takes no
arguments and implements :class:`webapp.payments.base.PaymentProvider`.

Adding a real gateway is one module. A gateway with its own hosted page (Stripe Checkout, a
regional gateway) answers ``form_fields()`` with None and ``start()`` with a ``Checkout``
whose ``redirect_url`` is its page, created for the ``PaymentRequest`` (invoice id and
number, amount, currency, and the ``return_url`` of our payment page). Its return route and
its webhook (verified with the gateway's signature) then call
``webapp.booking.invoices.record_payment`` (or ``record_failure``) with the gateway's
reference, once per reference, and commit. A gateway that takes card fields on our page
(a tokenizing script) answers ``form_fields()`` and implements ``charge()``, as the sandbox
does.
"""

from __future__ import annotations

from flask import current_app

from webapp.payments.base import CardField, Checkout, Outcome, PaymentProvider, PaymentRequest
from webapp.payments.sandbox import SandboxProvider
from webapp.providers import configured_provider

BUILT_IN = {"sandbox": SandboxProvider}


def provider(name: str | None = None) -> PaymentProvider:
    """The provider called ``name``, or the app's (``PAYMENT_PROVIDER``); made once per
    app. A bad name raises ValueError."""
    return configured_provider(current_app, "PAYMENT_PROVIDER", BUILT_IN, "sandbox", spec=name)


__all__ = ["CardField", "Checkout", "Outcome", "PaymentProvider", "PaymentRequest", "provider"]
