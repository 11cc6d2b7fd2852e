"""Paying an invoice online, by its signed payment link: the invoice, what is due now and the
provider's card form (``/pay/<token>``), and the same stripped for an app's web view or
another site's frame (``/pay/<token>/webview``), which tells its host how the payment went.

A charge the provider accepts is recorded on the invoice (the booking moves on once what was
due up front is paid); a declined one is kept as a failed payment and the customer may try
again; input the provider cannot use is answered with the form and nothing is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import abort, current_app, g, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.booking import intervals as iv
from webapp.booking import invoices, lifecycle
from webapp.booking.errors import BookingError
from webapp.booking.expiry import PAYMENT_EXPIRED_REASON
from webapp.embed.origins import allowed_origins, frame_ancestors, is_allowed, normalize_origin
from webapp.extensions import db
from webapp.models import Booking, BookingStatus, Invoice
from webapp.payments import PaymentRequest, provider
from webapp.payments.links import payment_token, read_payment_token
from webapp.public.blueprint import bp, customer_timezone, go, now, render
from webapp.public.confirmations import booking_title
from webapp.public.tokens import manage_token
from webapp.security import limiter

S = BookingStatus
ENDED = frozenset({S.CANCELED, S.REJECTED})
# What the customer reads for a provider's reason; the reason itself goes to the host page.
DECLINES = {
    "card_declined": _l(
        "Your card was declined. No money was taken. Try again or use another card."
    ),
    "expired": _l("The time to pay for this booking ran out, so it was canceled."),
    "canceled": _l("This booking was canceled, so it can no longer be paid."),
}
FORM_LIMIT = 64  # characters kept of each card field


@dataclass
class Due:
    """An invoice as its payment page sees it."""

    invoice: Invoice
    booking: Booking | None
    state: str  # "due" | "paid" | "expired" | "canceled"
    amount: Decimal  # what is to be paid now

    @property
    def payable(self) -> bool:
        return self.amount > 0 and self.state in ("due", "paid")


def _load(token: str) -> Due:
    invoice_id = read_payment_token(token)
    invoice = None
    if invoice_id is not None:
        invoice = db.session.scalars(
            select(Invoice).where(
                Invoice.organization_id == g.organization.id, Invoice.id == invoice_id
            )
        ).first()
    if invoice is None:
        abort(404, description=_("This payment link is not valid."))
    booking = db.session.get(Booking, invoice.booking_id) if invoice.booking_id else None
    amount = invoices.amount_due_now(invoice)
    if booking is not None and (booking.status in ENDED or _past_deadline(booking)):
        state = "expired" if _ran_out(booking) else "canceled"
    elif invoice.status == "VOID":
        state = "canceled"
    elif amount <= 0 or (booking is not None and booking.status != S.PENDING_PAYMENT):
        state = "paid"  # what was due up front; the rest may still be paid here
    else:
        state = "due"
    return Due(invoice, booking, state, amount)


def _ran_out(booking: Booking) -> bool:
    return _past_deadline(booking) or (
        booking.canceled_by == "system" and booking.cancel_reason == PAYMENT_EXPIRED_REASON
    )


def _past_deadline(booking: Booking) -> bool:
    """Unpaid past its window: the worker cancels it on its next round; nobody pays it now."""
    return (
        booking.status == S.PENDING_PAYMENT
        and booking.expires_at is not None
        and booking.expires_at <= now()
    )


def payment_url(booking: Booking) -> str | None:
    """The payment page of a booking that waits for payment, on this website or frame."""
    if booking.status != S.PENDING_PAYMENT:
        return None
    invoice = invoices.invoice_for(db.session, booking)
    return url_for(".payment_page", token=payment_token(invoice)) if invoice else None


@bp.context_processor
def _payment_context():
    return {"payment_url": payment_url}


def _payment_limit() -> str:
    return current_app.config["BOOKING_RATE_LIMIT"]


# One allowance for both pages: card attempts per client address.
PAYMENT_LIMIT = limiter.shared_limit(_payment_limit, scope="payment", methods=["POST"])


@bp.route("/pay/<token>", methods=["GET", "POST"])
@PAYMENT_LIMIT
def payment_page(token: str):
    due = _load(token)
    if request.method == "POST" and due.payable:
        return _pay(token, due, webview=False)
    return _page(token, due, status=_settled_status(due))


@bp.route("/pay/<token>/webview", methods=["GET", "POST"])
@PAYMENT_LIMIT
def payment_webview(token: str):
    """The page without the website around it, for ``paymentWebViewLink``. It reads no
    cookie (security.COOKIELESS_ENDPOINTS), so it works in another site's frame too."""
    due = _load(token)
    if request.method == "POST" and due.payable:
        return _pay(token, due, webview=True)
    return _page(token, due, webview=True, status=_settled_status(due))


def _settled_status(due: Due) -> int:
    if due.state not in ("expired", "canceled"):
        return 409 if request.method == "POST" and due.state == "paid" else 200
    # HTMX swaps in the answer only when it is not an error.
    return 200 if request.headers.get("HX-Request") == "true" else 410


def _payment_request(due: Due, token: str, webview: bool) -> PaymentRequest:
    endpoint = ".payment_webview" if webview else ".payment_page"
    return PaymentRequest(
        invoice_id=due.invoice.id,
        invoice_number=due.invoice.number,
        amount=due.amount,
        currency=due.invoice.currency,
        description=booking_title(due.booking) if due.booking else "",
        now=now(),
        return_url=url_for(endpoint, token=token, _external=True),
    )


def _pay(token: str, due: Due, *, webview: bool):
    gateway = provider()
    payment_request = _payment_request(due, token, webview)
    form = {f.name: (request.form.get(f.name) or "")[:FORM_LIMIT] for f in _fields(gateway)}
    outcome = gateway.charge(payment_request, form)
    if outcome.is_bad_input:
        return _page(token, due, webview=webview, status=422, errors=outcome.errors, form=form)
    actor = lifecycle.Actor("customer", due.booking.customer_id if due.booking else None)
    try:
        if outcome.ok:
            invoices.record_payment(
                db.session,
                g.organization,
                due.invoice.id,
                amount=due.amount,
                provider=gateway.name,
                actor=actor,
                now=now(),
                reference=outcome.reference,
                card_last4=outcome.card_last4,
            )
        else:
            invoices.record_failure(
                db.session,
                g.organization,
                due.invoice.id,
                provider=gateway.name,
                reason=outcome.reason or "declined",
                actor=actor,
                now=now(),
                amount=due.amount,
                card_last4=outcome.card_last4,
            )
    except BookingError:
        # Paid or ended by another request meanwhile: show where it stands now.
        db.session.rollback()
        return _page(token, _load(token), webview=webview, status=409)
    db.session.commit()
    if outcome.ok:
        if webview:
            origin = _webview_hosts()["host_origin"] or None
            return go(url_for(".payment_webview", token=token, paid=1, origin=origin))
        return go(url_for(".payment_page", token=token, paid=1))
    reason = outcome.reason or "declined"
    return _page(token, _load(token), webview=webview, status=422, declined=reason)


def _fields(gateway) -> list:
    return gateway.form_fields() or []


def _page(token: str, due: Due, *, webview: bool = False, status: int = 200, **extra):
    gateway = provider()
    tz = customer_timezone()
    booking = due.booking
    declined = extra.get("declined")
    errors = extra.get("errors") or {}
    context = dict(
        due=due,
        invoice=due.invoice,
        booking=booking,
        token=token,
        title=booking_title(booking) if booking else "",
        gateway=gateway,
        card_fields=_fields(gateway),
        errors=errors,
        form=extra.get("form") or {},
        declined=declined,
        decline_message=_decline_message(declined or due.state),
        just_paid=due.state == "paid" and request.args.get("paid") == "1",
        failure=_failure(due, declined),
        booking_url=url_for(".booking_manage", token=manage_token(g.website.id, booking.id))
        if booking is not None
        else None,
        tz=tz,
        tz_info=iv.zone(tz),
        action_url=url_for(".payment_webview" if webview else ".payment_page", token=token),
    )
    if not webview:
        return render("public/pay.html", status, **context)
    hosts = _webview_hosts()
    if hosts["host_origin"]:
        context["action_url"] = url_for(
            ".payment_webview", token=token, origin=hosts["host_origin"]
        )
    event = _webview_event(due, context["failure"], errors)
    html = render_template("public/pay_webview.html", event=event, **context, **hosts)
    response = make_response(html, status)
    # Framed by the website's allowed origins only; an app's web view is not framed at all.
    response.headers["Content-Security-Policy"] = frame_ancestors(
        allowed_origins(g.website.allowed_domains)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _failure(due: Due, declined: str | None) -> dict | None:
    """What the host is told when a payment did not go through: a declined card, or an
    attempt to pay a booking that ended."""
    if due.booking is None:
        return None
    if declined:
        return {"bookingId": due.booking.id, "reason": declined}
    if request.method == "POST" and due.state in ("expired", "canceled"):
        return {"bookingId": due.booking.id, "reason": due.state}
    return None


def _webview_event(due: Due, failure: dict | None, errors: dict) -> dict | None:
    """The message of seed 002's payment web view for this page, if it has one."""
    booking_id = due.booking.id if due.booking else None
    if failure:
        return {"type": "paymentFailed", **failure}
    if due.state == "paid":
        return {"type": "paymentSuccess", "bookingId": booking_id}
    if due.state in ("expired", "canceled"):
        return {"type": "paymentFailed", "bookingId": booking_id, "reason": due.state}
    if not errors:
        return {"type": "paymentInitialized", "bookingId": booking_id}
    return None


def _decline_message(reason: str) -> str:
    if reason in ("due", "paid"):
        return ""
    message = DECLINES.get(reason)
    return str(message) if message else _("The payment did not go through. Please try again.")


def _webview_hosts() -> dict:
    """Where the web view's messages may go when it is framed: the origin it was opened
    for, if the website allows it, else each allowed origin (the browser delivers a message
    only to the one that framed it)."""
    allowed = allowed_origins(g.website.allowed_domains)
    asked = normalize_origin(request.args.get("origin"))
    return {
        "host_origin": asked if is_allowed(asked, allowed) else "",
        "allowed_origins": allowed,
    }
