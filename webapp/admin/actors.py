"""Who made each change in a booking's history, as staff read it: a team member by name, an
integration by the name its owner gave it ("through API client Front desk tablet")."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ApiKey, Booking, BookingPartner, OAuthClient, User

# The kinds of actor that are integrations acting for customers, and their rows.
INTEGRATIONS = {"client": OAuthClient, "key": ApiKey, "partner": BookingPartner}


def _integration_label(kind: str, name: str | None) -> str:
    if kind == "client":
        return _("through API client %(name)s", name=name) if name else _("through an API client")
    if kind == "key":
        return _("through API key %(name)s", name=name) if name else _("through an API key")
    if name:
        return _("through booking partner %(name)s", name=name)
    return _("through a booking partner")


def _ids(booking: Booking, kind: str) -> set[str]:
    prefix = kind + ":"
    return {c.actor.removeprefix(prefix) for c in booking.history if c.actor.startswith(prefix)}


def _integration_names(booking: Booking, kind: str) -> dict[str, str]:
    model = INTEGRATIONS[kind]
    ids = _ids(booking, kind)
    if not ids:
        return {}
    rows = db.session.execute(
        # Only the booking's own organization's rows: an id never names another tenant's.
        select(model.id, model.name).where(
            model.id.in_(ids), model.organization_id == booking.organization_id
        )
    )
    return {ident: name for ident, name in rows}


def actor_names(booking: Booking) -> dict[str, str]:
    """Each actor label of the booking's history, by name rather than by id."""
    users = db.session.execute(
        select(User.id, User.name, User.email).where(User.id.in_(_ids(booking, "staff")))
    )
    names = {"staff": {uid: name or email for uid, name, email in users}}
    names |= {kind: _integration_names(booking, kind) for kind in INTEGRATIONS}
    plain = {
        "customer": _("the customer"),
        "system": _("automatically"),
        "api": _("through the API"),
    }

    def name(actor: str) -> str:
        kind, _sep, ident = actor.partition(":")
        if kind == "staff":
            return names["staff"].get(ident) or _("a team member")
        if kind in INTEGRATIONS:
            return _integration_label(kind, names[kind].get(ident))
        return str(plain.get(kind, actor))

    return {change.actor: name(change.actor) for change in booking.history}
