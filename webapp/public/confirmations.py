"""The email a customer gets once a booking is made or changed: the summary, the private
manage link and a calendar file."""

from __future__ import annotations

from flask import g, render_template, url_for
from flask_babel import gettext as _

from webapp.booking import intervals as iv
from webapp.i18n import translated
from webapp.models import Booking
from webapp.notify import ical, messaging
from webapp.public.blueprint import now
from webapp.public.tokens import manage_token


def booking_title(booking: Booking) -> str:
    service = booking.booking_type
    return translated(service.name, service.name_translations)


def calendar_file(booking: Booking, now) -> bytes:
    resource = booking.resource
    who = translated(resource.name, resource.name_translations) if resource else ""
    site = g.site.display_name or g.site.name or g.organization.name
    return ical.booking_ics(
        uid=booking.id,
        start=booking.start_at,
        end=booking.end_at,
        summary=f"{booking_title(booking)} · {site}",
        description=who,
        location=(g.site.map or {}).get("label", "") if isinstance(g.site.map, dict) else "",
        url=manage_url(booking),
        organizer_name=site,
        status="CANCELLED" if booking.status == "CANCELED" else "CONFIRMED",
        now=now,
    )


def manage_url(booking: Booking) -> str:
    return url_for(
        "public.booking_manage", token=manage_token(g.website.id, booking.id), _external=True
    )


def send_confirmation(booking: Booking, *, subject: str | None = None) -> None:
    """Email the booking to the customer, when they gave an email address."""
    customer = booking.customer
    if customer is None or not customer.email:
        return
    tz = iv.zone(g.site.timezone)
    context = dict(booking=booking, manage_url=manage_url(booking), tz_info=tz)
    messaging.send_email(
        customer.email,
        subject or _("Your booking: %(service)s", service=booking_title(booking)),
        render_template("public/email/booking.txt", **context),
        html=render_template("public/email/booking.html", **context),
        attachments=[("booking.ics", "text/calendar", calendar_file(booking, now()))],
    )
