"""The Payments page: owners and admins switch online payments on and off and see which
provider takes the money (the sandbox says clearly that it is a test) and the time to pay."""

from __future__ import annotations

import re

from tests.admin.conftest import csrf_token, htmx, text
from webapp.extensions import db
from webapp.models import Organization

URL = "/admin/settings/payments"


def ticked(page: str) -> bool:
    box = re.search(r'<input id="f-online_payments_enabled"[^>]*>', page)
    assert box, "the page has the switch"
    return " checked" in box.group(0)


def online(app, organization_id: str) -> bool:
    with app.app_context():
        return db.session.get(Organization, organization_id).online_payments_enabled


def test_the_page_names_the_sandbox_as_a_test_provider_and_the_time_to_pay(app, owner):
    app.config["PAYMENT_WINDOW_MINUTES"] = 25

    page = text(owner.get(URL))

    assert "Sandbox — test cards only, no real money" in page
    assert "Sandbox card payment" in page and "4242 4242 4242 4242" in page
    assert "25 min" in page
    assert not ticked(page)
    assert f'href="{URL}" aria-current="page">Payments</a>' in page


def test_switching_online_payments_on_and_off_needs_the_form_token(
    app, admin, clinic, other_clinic
):
    token = csrf_token(admin.get(URL))

    forged = admin.post(URL, data={"online_payments_enabled": "1"})
    on = admin.post(URL, data={"csrf_token": token, "online_payments_enabled": "1"}, headers=htmx())

    assert forged.status_code == 400
    assert on.status_code == 200 and "Online payments are on." in on.headers["HX-Trigger"]
    assert online(app, clinic.organization_id)
    assert not online(app, other_clinic.organization_id)  # only the signed-in organization
    assert ticked(text(admin.get(URL)))

    off = admin.post(URL, data={"csrf_token": token})

    assert off.status_code == 303 and off.headers["Location"].endswith(URL)
    assert not online(app, clinic.organization_id)


def test_staff_may_not_see_or_change_payments(app, staff, clinic, nocsrf):
    assert staff.get(URL).status_code == 403
    assert staff.post(URL, data={"online_payments_enabled": "1"}).status_code == 403
    assert not online(app, clinic.organization_id)
    assert f'href="{URL}"' not in text(staff.get("/admin/"))
