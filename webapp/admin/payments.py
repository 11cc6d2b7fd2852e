"""Payments: owners and admins switch online payments on or off and see which payment
provider takes the money and how long a booking waits for its payment."""

from __future__ import annotations

from flask import current_app, g, request, url_for
from flask_babel import gettext as _

from webapp import payments as gateways
from webapp.admin.blueprint import after_action, bp, render, requires
from webapp.admin.forms import FormReader
from webapp.extensions import db


@bp.route("/settings/payments", methods=["GET", "POST"])
@requires("admin")
def payment_settings():
    if request.method == "POST":
        reader = FormReader(request.form)
        g.organization.online_payments_enabled = reader.boolean("online_payments_enabled")
        db.session.commit()
        message = (
            _("Online payments are on.")
            if g.organization.online_payments_enabled
            else _("Online payments are off.")
        )
        return after_action(url_for("admin.payment_settings"), message)
    return render(
        "admin/payments.html",
        provider=gateways.provider(),
        window=current_app.config["PAYMENT_WINDOW_MINUTES"],
    )
