"""Which emails the organization sends about bookings (owners and admins)."""

from __future__ import annotations

from flask import g, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.admin.blueprint import after_action, bp, render, requires
from webapp.admin.forms import FormReader
from webapp.booking.errors import ValidationFailed
from webapp.extensions import db
from webapp.manage import notification_settings as manage
from webapp.notify.emails import TOGGLES

# (label, hint) of each toggle.
TOGGLE_TEXTS = {
    "customer": (
        _l("Emails to customers about their bookings"),
        _l(
            "When a booking is made, confirmed, moved, declined or canceled, with a calendar "
            "invitation."
        ),
    ),
    "reminders": (
        _l("Reminder emails to customers"),
        _l("A day and an hour before each confirmed booking."),
    ),
    "staff": (
        _l("Emails to the staff member"),
        _l(
            "Whoever provides the booked resource hears of each new booking and each request "
            "to approve."
        ),
    ),
    "owner": (
        _l("Emails to owners"),
        _l("The organization's owners hear of each new booking and each request to approve."),
    ),
}


@bp.route("/settings/notifications", methods=["GET", "POST"])
@requires("admin")
def notification_settings():
    if request.method == "GET":
        return _page(manage.notification_settings(g.organization), {})
    reader = FormReader(request.form)
    values = {toggle: reader.boolean(toggle) for toggle in TOGGLES}
    try:
        manage.update_notification_settings(db.session, g.organization, values)
    except ValidationFailed as error:
        db.session.rollback()
        reader.adopt(error)
        return _page(values, reader.errors, 422)
    db.session.commit()
    return after_action(url_for("admin.notification_settings"), _("The email settings are saved."))


def _page(values: dict, errors: dict, status: int = 200):
    toggles = [(toggle, *TOGGLE_TEXTS[toggle], values[toggle]) for toggle in TOGGLES]
    return render("admin/notifications.html", status, toggles=toggles, errors=errors)
