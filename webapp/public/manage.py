"""A booking's private page, reached by its signed link: the summary, a calendar file,
and rescheduling or canceling within the business's rules."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import abort, g, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from webapp.booking import intervals as iv
from webapp.booking import lifecycle
from webapp.booking.errors import BookingConflict, BookingError
from webapp.extensions import db
from webapp.models import Booking, BookingStatus
from webapp.notify import ical
from webapp.public import catalog as cat
from webapp.public import schedule
from webapp.public.blueprint import bp, customer_timezone, go, now, render
from webapp.public.confirmations import booking_title, calendar_file
from webapp.public.tokens import MANAGE_SALT, booking_from_token, manage_token
from webapp.public.views import parse_start, time_context

S = BookingStatus
REASON_LIMIT = 500


def _booking_or_404(token: str) -> Booking:
    booking = booking_from_token(db.session, MANAGE_SALT, g.website.id, g.organization.id, token)
    if booking is None or booking.status == S.TEMPORARY:
        abort(404, description=_("This booking link is not valid."))
    return booking


def change_deadline(booking: Booking) -> datetime | None:
    if booking.start_at is None:
        return None
    return booking.start_at - timedelta(hours=g.site.change_notice_hours or 0)


def can_change(booking: Booking) -> bool:
    deadline = change_deadline(booking)
    return deadline is not None and now() < deadline


def _successor(booking: Booking) -> Booking | None:
    """The booking this one was moved to, if it was rescheduled."""
    return db.session.scalars(
        select(Booking).where(
            Booking.organization_id == g.organization.id,
            Booking.rescheduled_from_id == booking.id,
        )
    ).first()


@bp.get("/bookings/<token>")
def booking_manage(token: str):
    booking = _booking_or_404(token)
    return _manage_page(token, booking)


def _manage_page(token: str, booking: Booking, status: int = 200, **extra):
    if booking.start_at is None:  # still in a queue, without a time: its place in line
        return go(url_for(".queue_page", token=token, **request.args))
    tz = customer_timezone()
    successor = _successor(booking) if booking.status == S.CANCELED else None
    changeable = can_change(booking)
    return render(
        "public/booking.html",
        status,
        booking=booking,
        token=token,
        title=booking_title(booking),
        tz=tz,
        tz_info=iv.zone(tz),
        is_new=request.args.get("new") == "1",
        rescheduled=request.args.get("rescheduled") == "1",
        successor_url=url_for(".booking_manage", token=manage_token(g.website.id, successor.id))
        if successor
        else None,
        can_cancel=changeable and lifecycle.can_cancel(booking),
        can_reschedule=changeable and lifecycle.can_reschedule(booking),
        deadline=change_deadline(booking),
        google_url=ical.google_calendar_url(
            start=booking.start_at,
            end=booking.end_at,
            title=booking_title(booking),
            details=url_for(".booking_manage", token=token, _external=True),
        ),
        **extra,
    )


@bp.get("/bookings/<token>/booking.ics")
def booking_calendar_file(token: str):
    booking = _booking_or_404(token)
    if booking.start_at is None:
        abort(404, description=_("This booking has no time yet."))
    response = make_response(calendar_file(booking, now()))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="booking.ics"'
    return response


@bp.post("/bookings/<token>/cancel")
def booking_cancel(token: str):
    booking = _booking_or_404(token)
    reason = (request.form.get("reason") or "").strip()
    if len(reason) > REASON_LIMIT:
        message = _("Please keep the reason under %(n)s characters.", n=REASON_LIMIT)
        return _manage_page(token, booking, 422, cancel_error=message, reason=reason)
    if not (can_change(booking) and lifecycle.can_cancel(booking)):
        return _manage_page(token, booking, 422, cancel_error=_too_late_message())
    lifecycle.cancel_booking(
        db.session,
        g.organization,
        booking.id,
        actor=lifecycle.Actor("customer", booking.customer_id),
        now=now(),
        reason=reason or None,
    )
    db.session.commit()
    return go(url_for(".booking_manage", token=token))


def _too_late_message() -> str:
    hours = g.site.change_notice_hours or 0
    if hours:
        return ngettext(
            "This booking can no longer be changed online: changes are possible until "
            "%(num)s hour before it starts. Please contact us.",
            "This booking can no longer be changed online: changes are possible until "
            "%(num)s hours before it starts. Please contact us.",
            hours,
        )
    return _("This booking can no longer be changed online. Please contact us.")


@bp.route("/bookings/<token>/reschedule", methods=["GET", "POST"])
def booking_reschedule(token: str):
    booking = _booking_or_404(token)
    if not (can_change(booking) and lifecycle.can_reschedule(booking)):
        return _manage_page(token, booking, 422, reschedule_error=_too_late_message())
    if request.method == "POST":
        return _reschedule(token, booking)
    return _reschedule_page(token, booking)


def _reschedule_choice(booking: Booking) -> cat.Choice:
    return cat.Choice(
        type_id=booking.booking_type_id,
        resource_id=booking.resource_id,
        adjusters={k: v for k, v in (booking.time_adjusters or {}).items()},
        day=cat.read_choice(request.values).day,
        month=cat.read_choice(request.values).month,
    )


def _reschedule_page(token: str, booking: Booking, status: int = 200, **extra):
    choice = _reschedule_choice(booking)
    tz = customer_timezone()
    ctx = schedule.load_context(db.session, g.organization, choice)
    time = schedule.build_time_step(
        db.session,
        g.organization,
        g.site,
        ctx,
        choice,
        timezone=tz,
        now=now(),
        reschedule_booking_id=booking.id,
    )
    if extra.get("lost"):
        time.alternatives = schedule.nearest(time.slots, extra["lost"])
    return render(
        "public/reschedule.html",
        status,
        booking=booking,
        token=token,
        title=booking_title(booking),
        choice=cat.Choice(),
        tz=tz,
        calendar_endpoint=".booking_reschedule",
        times_endpoint=".booking_reschedule_times",
        calendar_args=lambda **changes: {"token": token, "tz": tz, **changes},
        hold_url=url_for(".booking_reschedule", token=token),
        **time_context(time, choice, tz),
        **extra,
    )


@bp.get("/bookings/<token>/reschedule/times")
def booking_reschedule_times(token: str):
    booking = _booking_or_404(token)
    choice = _reschedule_choice(booking)
    if request.headers.get("HX-Request") != "true" or choice.day is None:
        return _reschedule_page(token, booking)
    tz = customer_timezone()
    ctx = schedule.load_context(db.session, g.organization, choice)
    slots = schedule.day_times(
        db.session,
        g.organization,
        g.site,
        ctx,
        choice.day,
        timezone=tz,
        now=now(),
        reschedule_booking_id=booking.id,
    )
    return render_template(
        "public/_times.html",
        slots=slots,
        day=choice.day,
        choice=cat.Choice(),
        tz=tz,
        tz_info=iv.zone(tz),
        business_tz_info=iv.zone(g.site.timezone),
        hold_url=url_for(".booking_reschedule", token=token),
        calendar_endpoint=".booking_reschedule",
        calendar_args=lambda **changes: {"token": token, "tz": tz, **changes},
    )


def _reschedule(token: str, booking: Booking):
    start = parse_start(request.form.get("start"))
    if start is None:
        return _reschedule_page(token, booking, 422, message=_("Choose a time from the list."))
    try:
        moved = lifecycle.reschedule_booking(
            db.session,
            g.organization,
            booking.id,
            start=start,
            actor=lifecycle.Actor("customer", booking.customer_id),
            now=now(),
            timezone=customer_timezone(),
        )
    except BookingConflict:
        db.session.rollback()
        message = _("Sorry, someone has just booked that time.")
        return _reschedule_page(token, booking, 409, message=message, lost=start)
    except BookingError:
        db.session.rollback()
        message = _("That time can no longer be booked. Please choose another.")
        return _reschedule_page(token, booking, 409, message=message, lost=start)
    db.session.commit()
    new_token = manage_token(g.website.id, moved.id)
    return go(url_for(".booking_manage", token=new_token, rescheduled=1))
