"""Webhooks: the addresses told about bookings, each with its delivery log. Owners and
admins add endpoints (the signing secret is shown once), send test events, rotate secrets,
enable an endpoint stopped for failing, and send a delivery again. Nothing is sent from
here: deliveries are queued, the worker sends them within seconds, and the log polls
while something it shows is about to go out."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask import abort, current_app, g, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from webapp.admin.blueprint import after_action, bp, is_partial, render, requires, toast
from webapp.admin.forms import FormReader
from webapp.booking.errors import ValidationFailed
from webapp.extensions import db
from webapp.i18n import current_lang, digits
from webapp.manage import webhook_deliveries as log
from webapp.manage import webhooks as hooks
from webapp.models import WebhookDelivery, WebhookSubscription
from webapp.notify.destinations import loopback_allowed
from webapp.notify.triggers import ALIASES, TRIGGERS
from webapp.public.blueprint import now

CURSOR_SALT = "mawid.admin.webhooks"
# A pending delivery due this soon may change any second: the page asks again every 2 s.
POLL_AHEAD = timedelta(minutes=1)

TRIGGER_LABELS = {
    "newBooking": _l("New booking awaiting approval"),
    "newAppointment": _l("New confirmed appointment"),
    "appointmentRescheduled": _l("Appointment rescheduled"),
    "bookingRejected": _l("Booking rejected"),
    "customerCanceled": _l("Canceled by the customer"),
    "providerCanceled": _l("Canceled by the business"),
    "bookingUnassigned": _l("Booking waiting for a resource"),
    "bookingAssigned": _l("Booking given to a resource"),
    "bookingExpired": _l("Booking expired"),
    "queuePositionUpdated": _l("Place in the queue changed"),
    "oneDayBeforeAppointment": _l("One day before the appointment"),
    "oneHourBeforeAppointment": _l("One hour before the appointment"),
    "tenMinutesBeforeAppointment": _l("Ten minutes before the appointment"),
    "beforeAppointment": _l("When the appointment starts"),
    "afterAppointment": _l("When the appointment ends"),
    "oneDayAfterAppointment": _l("One day after the appointment"),
    "booking.created": _l("Any new booking"),
    "booking.confirmed": _l("Booking confirmed"),
    "booking.cancelled": _l("Booking canceled by anyone"),
    "booking.completed": _l("Appointment over"),
    "booking.rescheduled": _l("Booking rescheduled"),
}


def trigger_label(trigger: str) -> str:
    return str(TRIGGER_LABELS.get(trigger, trigger))


def trigger_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The trigger select: booking events, then the short event names."""
    return [
        (_("Booking events"), [(name, trigger_label(name)) for name in TRIGGERS]),
        (_("Short event names"), [(name, trigger_label(name)) for name in ALIASES]),
    ]


# --- what the templates show -----------------------------------------------------------------


def _tz() -> ZoneInfo:
    return ZoneInfo(g.organization.timezone)


def when(value: datetime | None) -> str:
    """Date and time to the second, in the organization's timezone and the page's language."""
    if value is None:
        return ""
    lang = current_lang()
    return digits(babel_dates.format_datetime(value, "medium", tzinfo=_tz(), locale=lang), lang)


def due_in(value: datetime) -> str:
    """When a next attempt comes: ``in 5 minutes``; ``any moment now`` once it is due."""
    delta = value - now()
    if delta <= timedelta(seconds=5):
        return _("any moment now")
    lang = current_lang()
    return digits(babel_dates.format_timedelta(delta, add_direction=True, locale=lang), lang)


def delivery_state(delivery: WebhookDelivery) -> tuple[str, str]:
    """The status as people read it, and its badge's class."""
    if delivery.status == "delivered":
        return _("Delivered"), "status-confirmed"
    if delivery.status == "failed":
        return _("Failed"), "status-canceled"
    if delivery.leased_until is not None and delivery.leased_until > now():
        return _("Sending"), "status-pending_approval"
    if delivery.attempts:
        return _("Retrying"), "status-pending_approval"
    return _("Queued"), "status-pending_approval"


def polls(delivery: WebhookDelivery) -> bool:
    return (
        delivery.status == "pending"
        and delivery.next_attempt_at is not None
        and delivery.next_attempt_at <= now() + POLL_AHEAD
    )


def seen(delivery: WebhookDelivery) -> str:
    """What the page shows of a delivery's progress; the same answer means nothing changed."""
    last = delivery.last_attempt_at.timestamp() if delivery.last_attempt_at else 0
    return f"{delivery.status}.{delivery.attempts}.{last:.0f}"


def pretty(payload: dict) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False)


def _helpers() -> dict:
    return {
        "trigger_label": trigger_label,
        "when": when,
        "due_in": due_in,
        "delivery_state": delivery_state,
        "polls": polls,
        "seen": seen,
        "pretty": pretty,
        "now_at": now(),
    }


# --- the list of endpoints -------------------------------------------------------------------


def _list_page(status: int = 200, *, values=None, errors=None, added=None, secret=None):
    return render(
        "admin/webhooks/list.html",
        status,
        endpoints=hooks.endpoints(db.session, g.organization, now()),
        values=values or {},
        errors=errors or {},
        added=added,
        secret=secret,
        trigger_groups=trigger_groups(),
        **_helpers(),
    )


@bp.get("/webhooks")
@requires("admin")
def webhooks_list():
    return _list_page()


@bp.post("/webhooks")
@requires("admin")
def webhook_add():
    reader = FormReader(request.form)
    trigger = reader.choice("trigger", (*TRIGGERS, *ALIASES))
    url = reader.text("url", required=True, max_length=2000)
    reference = reader.text("reference", max_length=hooks.MAX_REFERENCE)
    if reader:
        try:
            row, secret = hooks.add_endpoint(
                db.session,
                g.organization,
                trigger=trigger,
                url=url,
                reference=reference,
                allow_loopback=loopback_allowed(current_app.config),
                actor_label=f"staff:{current_user.id}",
                now=now(),
            )
        except ValidationFailed as error:
            db.session.rollback()
            reader.adopt(error)
        else:
            db.session.commit()
            # The only time the secret is shown: the page answers the form, no redirect.
            return _list_page(201, added=row, secret=secret)
    values = {"trigger": trigger, "url": url, "reference": reference}
    return _list_page(422, values=values, errors=reader.errors)


# --- one endpoint and its delivery log -------------------------------------------------------


def _cursors() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=CURSOR_SALT)


def _read_before() -> tuple[datetime, str] | None:
    raw = request.args.get("before")
    if not raw:
        return None
    try:
        created_at, delivery_id = _cursors().loads(raw)
        return datetime.fromisoformat(created_at), str(delivery_id)
    except (BadSignature, ValueError, TypeError):
        abort(400, description=_("This page link is not valid any more. Start from the list."))


def _endpoint(subscription_id: str) -> WebhookSubscription:
    return hooks.endpoint(db.session, g.organization, subscription_id)


def _log_context(subscription: WebhookSubscription) -> dict:
    page = log.deliveries(
        db.session,
        g.organization,
        subscription,
        before=_read_before(),
        limit=current_app.config.get("ADMIN_PAGE_SIZE", log.PAGE_SIZE),
    )
    more_url = None
    if page.next_before:
        created_at, delivery_id = page.next_before
        token = _cursors().dumps([created_at.isoformat(), delivery_id])
        more_url = url_for("admin.webhook_detail", subscription_id=subscription.id, before=token)
    return {
        "endpoint": subscription,
        "page": page,
        "attempts": log.attempts_of(db.session, g.organization, page.deliveries),
        "more_url": more_url,
        "older": bool(request.args.get("before")),
        **_helpers(),
    }


def _endpoint_context(subscription: WebhookSubscription, secret: str | None = None) -> dict:
    return {"endpoint": subscription, "secret": secret, **_helpers()}


def _detail_page(subscription: WebhookSubscription, status: int = 200, secret=None):
    context = {**_log_context(subscription), **_endpoint_context(subscription, secret)}
    return render("admin/webhooks/detail.html", status, **context)


@bp.get("/webhooks/<subscription_id>")
@requires("admin")
def webhook_detail(subscription_id: str):
    subscription = _endpoint(subscription_id)
    if is_partial("more-deliveries"):
        return render("admin/webhooks/_delivery_rows.html", **_log_context(subscription))
    return _detail_page(subscription)


def _detail_url(subscription: WebhookSubscription) -> str:
    return url_for("admin.webhook_detail", subscription_id=subscription.id)


def _answer(subscription, target: str, body, message: str, kind: str = "success", status=200):
    """HTMX: the part ``target`` as it is now, with a toast; a plain form: back to the
    endpoint's page with the message."""
    if is_partial(target):
        return toast(body(), message, kind, status)
    return after_action(_detail_url(subscription), message, kind)


def _endpoint_part(subscription: WebhookSubscription, secret=None):
    return lambda: render(
        "admin/webhooks/_endpoint.html", **_endpoint_context(subscription, secret)
    )[0]


def _log_part(subscription: WebhookSubscription):
    return lambda: render("admin/webhooks/_deliveries.html", **_log_context(subscription))[0]


@bp.post("/webhooks/<subscription_id>/test")
@requires("admin")
def webhook_test_send(subscription_id: str):
    subscription = _endpoint(subscription_id)
    try:
        log.send_test(db.session, g.organization, subscription, now(), base_url=request.url_root)
    except ValidationFailed as error:
        db.session.rollback()
        return _answer(
            subscription, "deliveries", _log_part(subscription), error.message, "error", 409
        )
    db.session.commit()
    return _answer(
        subscription,
        "deliveries",
        _log_part(subscription),
        _("A test event is on its way; its result shows in the log."),
    )


@bp.post("/webhooks/<subscription_id>/rotate")
@requires("admin")
def webhook_secret_rotate(subscription_id: str):
    subscription = _endpoint(subscription_id)
    secret = hooks.rotate_secret(db.session, g.organization, subscription, now())
    db.session.commit()
    message = _("The endpoint has a new signing secret. Copy it now.")
    if is_partial("endpoint"):
        return toast(_endpoint_part(subscription, secret)(), message)
    # The only time the secret is shown: the page answers the form, no redirect.
    return _detail_page(subscription, secret=secret)


@bp.post("/webhooks/<subscription_id>/enable")
@requires("admin")
def webhook_enable(subscription_id: str):
    subscription = _endpoint(subscription_id)
    hooks.enable(db.session, g.organization, subscription, now())
    db.session.commit()
    # The whole page again: the log's rows get their "Redeliver" buttons back.
    return after_action(
        _detail_url(subscription), _("The endpoint is enabled; new events are sent to it again.")
    )


@bp.post("/webhooks/<subscription_id>/remove")
@requires("admin")
def webhook_remove(subscription_id: str):
    subscription = _endpoint(subscription_id)
    hooks.remove_endpoint(db.session, g.organization, subscription, now())
    db.session.commit()
    return after_action(
        url_for("admin.webhooks_list"),
        _("The endpoint is removed; nothing more is sent to %(url)s.", url=subscription.url),
    )


# --- one delivery ----------------------------------------------------------------------------


def _delivery_context(subscription: WebhookSubscription, delivery: WebhookDelivery) -> dict:
    return {
        "endpoint": subscription,
        "delivery": delivery,
        "attempts": {delivery.id: log.delivery_attempts(db.session, g.organization, delivery)},
        **_helpers(),
    }


@bp.get("/webhooks/<subscription_id>/deliveries/<delivery_id>")
@requires("admin")
def webhook_delivery(subscription_id: str, delivery_id: str):
    """The delivery's page; for the log's polling, its rows (or 204 when nothing changed)."""
    subscription = _endpoint(subscription_id)
    delivery = log.delivery(db.session, g.organization, subscription, delivery_id)
    if is_partial(f"d-{delivery.id}"):
        if request.args.get("seen") == seen(delivery):
            return "", 204
        return render("admin/webhooks/_delivery.html", **_delivery_context(subscription, delivery))
    return render("admin/webhooks/delivery.html", **_delivery_context(subscription, delivery))


@bp.post("/webhooks/<subscription_id>/deliveries/<delivery_id>/redeliver")
@requires("admin")
def webhook_delivery_redeliver(subscription_id: str, delivery_id: str):
    subscription = _endpoint(subscription_id)
    delivery = log.delivery(db.session, g.organization, subscription, delivery_id)
    target = f"d-{delivery.id}"

    def row():
        return render("admin/webhooks/_delivery.html", **_delivery_context(subscription, delivery))[
            0
        ]

    try:
        log.redeliver(db.session, g.organization, delivery, now())
    except ValidationFailed as error:
        db.session.rollback()
        return _answer(subscription, target, row, error.message, "error", 409)
    db.session.commit()
    return _answer(subscription, target, row, _("The delivery is queued to be sent again."))
