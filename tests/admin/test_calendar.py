"""The calendar: columns per resource, working hours and time off, bookings where they are."""

from __future__ import annotations

import re

from tests.admin.conftest import htmx, text
from tests.conftest import NOW
from tests.factories import at, create_booking, make_customer
from webapp.extensions import db
from webapp.models import BookingType, OffRules, Organization


def _book(app, clinic, when, resource_id, first_name):
    with app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        booking_type = db.session.get(BookingType, clinic.type_id)
        customer = make_customer(db.session, organization, first_name=first_name)
        create_booking(
            db.session,
            organization,
            booking_type,
            start=at(when),
            now=NOW,
            resource_id=resource_id,
            customer=customer,
        )
        db.session.commit()


def _off(app, clinic, resource_id, rules):
    with app.app_context():
        db.session.add(
            OffRules(resource_id=resource_id, organization_id=clinic.organization_id, rules=rules)
        )
        db.session.commit()


def _columns(page: str) -> list[str]:
    return re.findall(r'<div class="cal-col"[^>]*aria-label="([^"]+)"', page)


def test_a_day_has_a_column_per_resource_with_its_bookings(app, owner, clinic):
    _book(app, clinic, "2026-11-22 09:00", clinic.own_resource_id, "Maha")
    _book(app, clinic, "2026-11-22 10:00", clinic.other_resource_id, "Fahad")

    page = text(owner.get("/admin/calendar?date=2026-11-22"))

    assert sorted(_columns(page)) == ["Dr Omar", "Dr Salma"]  # by position, then name
    assert "Maha" in page and "Fahad" in page
    # 09:00-13:00 and 14:00-17:00 are working hours: two white blocks per column.
    assert page.count('class="cal-open"') == 4


def test_staff_see_only_their_own_column(app, staff, clinic):
    _book(app, clinic, "2026-11-22 10:00", clinic.other_resource_id, "Fahad")

    page = text(staff.get("/admin/calendar?date=2026-11-22"))

    assert _columns(page) == ["Dr Salma"]
    assert "Fahad" not in page


def test_the_week_shows_seven_days_of_one_resource(app, owner, clinic):
    _book(app, clinic, "2026-11-24 09:00", clinic.own_resource_id, "Maha")

    page = text(
        owner.get(f"/admin/calendar?view=week&date=2026-11-25&resource={clinic.own_resource_id}")
    )

    assert len(_columns(page)) == 7
    assert "Sunday, November 22, 2026" in _columns(page)[0]
    assert "Maha" in page


def test_time_off_is_hatched_only_on_the_days_it_covers(app, owner, clinic):
    _off(
        app,
        clinic,
        clinic.own_resource_id,
        [{"type": "range", "from": "2026-11-24", "to": "2026-11-24"}],
    )

    page = text(
        owner.get(f"/admin/calendar?view=week&date=2026-11-22&resource={clinic.own_resource_id}")
    )
    columns = page.split('<div class="cal-col"')[1:]

    hatched = [
        i
        for i, column in enumerate(columns)
        if 'class="cal-off"' in column.split("</div>\n    <div")[0]
    ]
    assert hatched == [2]  # Tuesday only, not Friday or Saturday


def test_a_booking_changed_in_the_panel_refreshes_the_calendar(app, owner, clinic):
    page = text(owner.get("/admin/calendar?date=2026-11-22"))

    assert 'hx-trigger="bookingsChanged from:body"' in page
    assert text(owner.get("/admin/calendar?date=not-a-date", headers=htmx())).count("cal-col") >= 2


def test_another_tenants_resource_is_never_shown(app, owner, clinic, other_clinic):
    _book(app, other_clinic, "2026-11-22 09:00", other_clinic.own_resource_id, "Zed")

    page = text(
        owner.get(
            f"/admin/calendar?view=week&date=2026-11-22&resource={other_clinic.own_resource_id}"
        )
    )

    assert "Zed" not in page
    assert f'<option value="{other_clinic.own_resource_id}"' not in page
