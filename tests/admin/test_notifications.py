"""The Notifications page: owners and admins choose which booking emails go out; every email
is on until switched off, and the choice is the organization's own."""

from __future__ import annotations

import re

from tests.admin.conftest import csrf_token, htmx, text
from webapp.extensions import db
from webapp.models import Organization

URL = "/admin/settings/notifications"
TOGGLES = ("customer", "reminders", "staff", "owner")


def settings(app, clinic) -> dict:
    with app.app_context():
        return db.session.get(Organization, clinic.organization_id).notification_settings


def checked(page: str) -> set[str]:
    return set(re.findall(r'name="(\w+)" type="checkbox" value="1" checked', page))


def test_every_email_is_on_until_switched_off(owner):
    page = text(owner.get(URL))

    assert checked(page) == set(TOGGLES)
    for label in (
        "Emails to customers about their bookings",
        "Reminder emails to customers",
        "Emails to the staff member",
        "Emails to owners",
    ):
        assert label in page
    assert f'href="{URL}" aria-current="page">Notifications</a>' in page


def test_switching_emails_off_is_saved_with_the_form_token(app, owner, clinic):
    page = owner.get(URL)

    saved = owner.post(
        URL,
        data={"csrf_token": csrf_token(page), "customer": "1", "owner": "1"},
        headers=htmx(),
    )

    assert saved.status_code == 200
    assert saved.headers["HX-Location"] == URL
    assert "The email settings are saved." in saved.headers["HX-Trigger"]
    assert settings(app, clinic) == {
        "customer": True,
        "reminders": False,
        "staff": False,
        "owner": True,
    }
    assert checked(text(owner.get(URL))) == {"customer", "owner"}


def test_a_plain_form_post_goes_back_to_the_page(app, admin, clinic, nocsrf):
    saved = admin.post(URL, data={"staff": "1", "reminders": "1", "customer": "1"})

    assert saved.status_code == 303
    assert saved.headers["Location"] == URL
    assert settings(app, clinic)["owner"] is False


def test_without_the_form_token_nothing_changes(app, owner, clinic):
    refused = owner.post(URL, data={"customer": "1"})

    assert refused.status_code == 400
    assert settings(app, clinic) == {}


def test_staff_may_neither_see_nor_change_the_settings(app, staff, clinic, nocsrf):
    assert staff.get(URL).status_code == 403
    assert staff.post(URL, data={}).status_code == 403
    assert settings(app, clinic) == {}
    dashboard = staff.get("/admin/")
    assert dashboard.status_code == 200 and URL not in text(dashboard)


def test_each_organization_switches_only_its_own_emails(app, owner, clinic, other_clinic, nocsrf):
    owner.post(URL, data={})

    assert settings(app, clinic) == dict.fromkeys(TOGGLES, False)
    assert settings(app, other_clinic) == {}


def test_the_page_reads_right_to_left_in_arabic(owner):
    page = text(owner.get(URL + "?lang=ar"))

    assert '<html lang="ar" dir="rtl">' in page
