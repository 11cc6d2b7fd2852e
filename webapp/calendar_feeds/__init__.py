"""Calendar feeds at ``/calendar/feed/<token>.ics``: the bookings of an organization or of
one resource, for calendar apps to subscribe to. The token in the address is the only
credential; no cookie or session is read."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from webapp.calendar_feeds import views

    app.register_blueprint(views.bp)
