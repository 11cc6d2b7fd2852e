"""The calendar: day and week views per resource, and an agenda for phones."""

from __future__ import annotations

from flask import abort

from webapp.admin.blueprint import bp


@bp.get("/calendar")
def calendar():
    abort(404)
