"""Links to an invoice's payment pages on its website: the page itself (``paymentLink``) and
its stripped version for an app's web view or a frame (``paymentWebViewLink``).

The token in them names the invoice, signed with the app's secret key so that it cannot be
guessed or forged; the page still looks the invoice up within the website's organization.
"""

from __future__ import annotations

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from webapp.models import Invoice, Website

SALT = "payment"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def payment_token(invoice: Invoice) -> str:
    return _serializer().dumps(invoice.id)


def read_payment_token(token: str) -> str | None:
    """The invoice id in a genuine token, else None."""
    try:
        value = _serializer().loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def payment_links(website: Website, invoice: Invoice) -> dict[str, str]:
    """Absolute URLs of the invoice's payment page and its web view version."""
    token = payment_token(invoice)
    return {
        "paymentLink": url_for(
            "public.payment_page", slug=website.slug, token=token, _external=True
        ),
        "paymentWebViewLink": url_for(
            "public.payment_webview", slug=website.slug, token=token, _external=True
        ),
    }
