"""Bookings: the filtered list, the detail panel and what staff do with a booking."""

from __future__ import annotations

from flask import abort

from webapp.admin.blueprint import bp


@bp.get("/bookings")
def bookings_list():
    abort(404)


@bp.route("/bookings/new", methods=["GET", "POST"])
def booking_new():
    abort(404)


@bp.get("/bookings/<booking_id>")
def booking_detail(booking_id: str):
    abort(404)
