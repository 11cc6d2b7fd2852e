"""Manage Webhooks (seed 002): the organization's subscriptions (a trigger, an address, an
optional reference) and sample payloads of each trigger. Adding a subscription answers its
signing secret once: ``{"result": "success", "secret": "whsec_..."}``."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from webapp.api.access import management
from webapp.api.blueprint import body, bp, ok
from webapp.api.pagination import MAX_LIMIT, decode, pagination, read_limit
from webapp.api.shapes import accounts as shape
from webapp.api.shapes.catalog import money
from webapp.api.shapes.websites import localized
from webapp.booking.errors import ValidationFailed
from webapp.booking.intervals import zone
from webapp.extensions import db
from webapp.i18n import translated
from webapp.manage import webhooks as hooks
from webapp.models import BookingType, Resource
from webapp.models.types import new_id
from webapp.notify import triggers
from webapp.public.blueprint import now

LIST_NAME = "webhooks"


def _allow_loopback() -> bool:
    value = current_app.config.get("WEBHOOKS_ALLOW_LOOPBACK")
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def _params() -> dict:
    """The body's members, or the query's for clients that cannot send a DELETE body."""
    data = body()
    return data or request.args.to_dict()


@bp.get("/management/webhooks")
@management("admin")
def webhooks_list():
    limit = read_limit(request.args.get("limit"), default=MAX_LIMIT)
    position = decode(LIST_NAME, request.args.get("nextPageToken"))
    try:
        after = (datetime.fromisoformat(position[0]), str(position[1])) if position else None
    except (IndexError, TypeError, ValueError):
        raise ValidationFailed(
            _("This nextPageToken is not valid."), field="nextPageToken"
        ) from None
    rows = hooks.subscriptions(db.session, g.organization, after=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    last = [rows[-1].created_at.isoformat(), rows[-1].id] if more else None
    result = [shape.webhook(row) for row in rows]
    db.session.commit()
    return ok(result, pagination=pagination(last, LIST_NAME))


@bp.post("/management/webhooks")
@management("admin")
def webhook_add():
    data = body()
    row, secret, created = hooks.subscribe(
        db.session,
        g.organization,
        trigger=data.get("trigger"),
        url=data.get("url"),
        reference=data.get("reference"),
        allow_loopback=_allow_loopback(),
        actor_label=g.caller.actor.label,
        now=now(),
    )
    db.session.commit()
    # DESIGN's answer: the secret next to the seed's "success", shown this once.
    response = jsonify({"result": "success", "secret": secret})
    response.status_code = 201 if created else 200
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.delete("/management/webhooks")
@management("admin")
def webhook_delete():
    data = _params()
    hooks.unsubscribe(
        db.session,
        g.organization,
        trigger=data.get("trigger"),
        url=data.get("url"),
        reference=data.get("reference"),
        now=now(),
    )
    db.session.commit()
    return ok("success")


@bp.post("/management/webhooks/sample")
@management("admin")
def webhook_sample():
    data = body()
    trigger = hooks.check_trigger(data.get("trigger"))
    reference = hooks.check_reference(data.get("reference"))
    result = [_sample(trigger, reference)]
    db.session.commit()
    return ok(result)


# --- sample payloads -----------------------------------------------------------------------


def _first_service() -> tuple[BookingType | None, Resource | None]:
    """The organization's first service and a resource offering it, to fill the sample."""
    organization_id = g.organization.id
    booking_type = db.session.scalars(
        select(BookingType)
        .where(BookingType.organization_id == organization_id)
        .order_by(BookingType.on.desc(), BookingType.position, BookingType.name)
    ).first()
    resources = select(Resource).where(Resource.organization_id == organization_id)
    if booking_type is not None:
        resources = resources.where(Resource.booking_types.any(BookingType.id == booking_type.id))
    resource = db.session.scalars(resources.order_by(Resource.position, Resource.name)).first()
    return booking_type, resource


def _sample(trigger: str, reference: str) -> dict:
    booking_type, resource = _first_service()
    site = g.site
    timezone = site.timezone
    local_now = now().astimezone(zone(timezone))
    start = datetime.combine(local_now.date() + timedelta(days=1), time(10), zone(timezone))
    minutes = booking_type.minutes if booking_type else 30
    service = translated(booking_type.name, booking_type.name_translations) if booking_type else ""
    customer = {
        "id": new_id(),
        "firstName": "Sara",
        "lastName": "Ahmed",
        "name": "Sara Ahmed",
        "email": "sara@example.com",
        "phone": "+966500000000",
    }
    booking_id = new_id()
    if trigger in triggers.ALIASES:
        return triggers.event_payload(
            trigger,
            booking_id=booking_id,
            service=service or _("Consultation"),
            start=start,
            minutes=minutes,
            customer=customer,
        )
    resource_name = translated(resource.name, resource.name_translations) if resource else ""
    info: dict = {}
    if trigger == "queuePositionUpdated":
        info.update(queuePosition=2, estimatedWaitMinutes=2 * minutes)
    if trigger == "appointmentRescheduled":
        info["previousBookingId"] = new_id()
    return triggers.booking_payload(
        trigger,
        booking_id=booking_id,
        status=triggers.TRIGGERS[trigger],
        start=start,
        minutes=minutes,
        timezone=timezone,
        customer=customer,
        provider={
            "id": resource.id if resource else new_id(),
            "name": resource_name or _("Provider"),
            "email": resource.provider_email if resource else None,
            "phone": resource.provider_phone if resource else None,
        },
        resource={
            "id": resource.id if resource else new_id(),
            "name": resource_name or _("Provider"),
            "category": resource.category_id if resource else None,
        },
        page={
            "id": g.website.id,
            "appId": g.website.app_id,
            "slug": g.website.slug,
            "name": localized(site, "displayName") or site.name,
            "url": url_for("public.website_home", slug=g.website.slug, _external=True),
            "timeZone": timezone,
        },
        booking_type={
            "id": booking_type.id if booking_type else new_id(),
            "name": service or _("Consultation"),
            "duration": minutes,
            "price": money(booking_type.price) if booking_type else None,
            "currency": g.organization.currency,
        },
        info=info,
        data={"reference": reference} if reference else {},
    )
