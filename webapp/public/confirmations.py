"""What the booking pages offer about a booking: its title, its private manage link and a
calendar file to download. (Emails about bookings come from the worker: webapp/notify/.)"""

from __future__ import annotations

from flask import g, url_for

from webapp.i18n import translated
from webapp.models import Booking
from webapp.notify import ical
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
