"""Which emails an organization sends about bookings: to customers, customer reminders, to
the staff member who provides the resource, to owners. Each is on until switched off."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from webapp.booking.errors import ValidationFailed
from webapp.models import Organization
from webapp.notify.emails import TOGGLES, is_enabled


def notification_settings(organization: Organization) -> dict[str, bool]:
    """Every toggle, on or off (a missing one is on)."""
    return {toggle: is_enabled(organization, toggle) for toggle in TOGGLES}


def update_notification_settings(
    session: Session, organization: Organization, values: Mapping[str, object]
) -> dict[str, bool]:
    """Switch the named toggles; the others keep their value."""
    for toggle, value in values.items():
        if toggle not in TOGGLES:
            raise ValidationFailed(_("There is no such email setting."), field=str(toggle)[:64])
        if not isinstance(value, bool):
            raise ValidationFailed(_("An email setting is on or off."), field=toggle)
    # A new dict, so the JSON column is seen to change.
    organization.notification_settings = {**notification_settings(organization), **values}
    session.flush()
    return notification_settings(organization)
