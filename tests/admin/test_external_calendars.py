"""Outside calendars on a resource's page: a doctor subscribes her private calendar, sees
whether it could be read and how many events it has, refreshes or removes it; the section
swaps in place with HTMX and works as plain forms. Other tenants and other doctors' staff
cannot reach it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.admin.conftest import csrf_token, htmx, sign_in, text
from tests.notify.ics_server import start_ics_server
from webapp.extensions import db
from webapp.models import ExternalBusyTime, ExternalCalendar

SECTION = "outside-calendars"


@pytest.fixture
def ics_server(app):
    app.config["WEBHOOKS_ALLOW_LOOPBACK"] = True
    server = start_ics_server()
    yield server
    server.stop()


def page_of(client, resource_id: str):
    return client.get(f"/admin/resources/{resource_id}")


def post_htmx(client, path: str, resource_id: str, data: dict | None = None):
    token = csrf_token(page_of(client, resource_id))
    return client.post(
        path, data=data or {}, headers={"X-CSRFToken": token, **htmx(target=SECTION)}
    )


def add(client, resource_id: str, url: str, name: str = "Private calendar"):
    return post_htmx(
        client,
        f"/admin/resources/{resource_id}/calendars",
        resource_id,
        {"calendar_url": url, "calendar_name": name},
    )


def toast_of(response) -> dict:
    return json.loads(response.headers["HX-Trigger"])["toast"]


def calendars(app) -> list[ExternalCalendar]:
    with app.app_context():
        rows = list(db.session.scalars(select(ExternalCalendar)))
        db.session.expunge_all()
        return rows


def busy_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ExternalBusyTime))


def test_an_owner_adds_a_calendar_and_sees_what_was_read(app, owner, clinic, ics_server):
    page = text(page_of(owner, clinic.own_resource_id))
    assert 'id="outside-calendars"' in page
    assert "No outside calendars yet." in page

    response = add(owner, clinic.own_resource_id, ics_server.url)

    assert response.status_code == 200
    body = text(response)
    assert body.lstrip().startswith('<section class="card" id="outside-calendars"')
    assert "<html" not in body
    assert toast_of(response) == {
        "message": "Private calendar is added; events found: 6.",
        "kind": "success",
    }
    assert "Private calendar" in body and "127.0.0.1" in body
    assert "Up to date" in body
    assert "Dentist" not in body  # only times are kept
    [calendar] = calendars(app)
    assert calendar.resource_id == clinic.own_resource_id
    assert busy_count(app) > 0
    page = text(page_of(owner, clinic.own_resource_id))
    assert "Private calendar" in page and "No outside calendars yet." not in page


def test_a_calendar_app_webcal_link_is_accepted(app, owner, clinic, ics_server):
    # webcal:// is https underneath; on loopback the test server only speaks http, so the
    # read fails, but the address is kept as https://.
    response = add(owner, clinic.own_resource_id, "webcal://localhost:9/private/basic.ics")

    assert response.status_code == 200
    assert toast_of(response)["kind"] == "error"
    [calendar] = calendars(app)
    assert calendar.url == "https://localhost:9/private/basic.ics"
    assert calendar.last_status == "error"
    assert "Cannot be read" in text(response)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.0.0.1/cal.ics", "10.0.0.1 is not on the public internet"),
        ("https://169.254.169.254/latest/meta-data", "169.254.169.254 is not on the public"),
        ("https://intranet.corp/cal.ics", "intranet.corp is not on the public internet"),
        ("not an address", "Calendar addresses start with https:// or webcal://"),
    ],
)
def test_an_address_off_the_public_internet_is_refused(app, owner, clinic, url, message):
    app.config["WEBHOOKS_ALLOW_LOOPBACK"] = True

    response = add(owner, clinic.own_resource_id, url)

    assert response.status_code == 422
    body = text(response)
    assert message in body
    assert 'aria-invalid="true"' in body
    assert "<html" not in body
    assert calendars(app) == []


def test_without_javascript_the_forms_still_work(app, owner, clinic, ics_server, nocsrf):
    refused = owner.post(
        f"/admin/resources/{clinic.own_resource_id}/calendars",
        data={"calendar_url": "http://10.0.0.1/cal.ics", "calendar_name": ""},
    )
    assert refused.status_code == 422
    assert "<html" in text(refused)
    assert "calendars there cannot be read" in text(refused)

    added = owner.post(
        f"/admin/resources/{clinic.own_resource_id}/calendars",
        data={"calendar_url": ics_server.url, "calendar_name": ""},
    )

    assert added.status_code == 303
    assert added.headers["Location"].endswith(
        f"/admin/resources/{clinic.own_resource_id}#outside-calendars"
    )
    page = text(owner.get(added.headers["Location"]))
    assert "127.0.0.1 is added; events found: 6." in page  # the name defaults to the host
    standalone = owner.get(f"/admin/resources/{clinic.own_resource_id}/calendars")
    assert standalone.status_code == 200
    assert "Back to the resource" in text(standalone)


def test_refresh_now_and_remove(app, owner, clinic, ics_server):
    add(owner, clinic.own_resource_id, ics_server.url)
    [calendar] = calendars(app)
    base = f"/admin/resources/{clinic.own_resource_id}/calendars/{calendar.id}"

    refreshed = post_htmx(owner, f"{base}/refresh", clinic.own_resource_id)

    assert refreshed.status_code == 200
    assert (
        toast_of(refreshed)["message"] == "Private calendar has not changed since it was last read."
    )
    assert ics_server.statuses() == [200, 304]

    removed = post_htmx(owner, f"{base}/remove", clinic.own_resource_id)

    assert removed.status_code == 200
    assert "Private calendar is removed" in toast_of(removed)["message"]
    assert "No outside calendars yet." in text(removed)
    assert calendars(app) == []
    assert busy_count(app) == 0


def test_another_organization_cannot_see_or_touch_the_calendar(
    app, owner, clinic, other_clinic, ics_server, nocsrf
):
    add(owner, clinic.own_resource_id, ics_server.url)
    [calendar] = calendars(app)
    stranger = sign_in(app.test_client(), other_clinic.owner_id)

    ours = f"/admin/resources/{clinic.own_resource_id}/calendars"
    theirs = f"/admin/resources/{other_clinic.own_resource_id}/calendars"
    assert stranger.get(ours).status_code == 404
    assert stranger.post(f"{ours}/{calendar.id}/refresh").status_code == 404
    assert stranger.post(f"{ours}/{calendar.id}/remove").status_code == 404
    # Nor through one of their own resources.
    assert stranger.post(f"{theirs}/{calendar.id}/remove").status_code == 404
    assert stranger.post(f"{theirs}/{calendar.id}/refresh").status_code == 404
    assert "Private calendar" not in text(stranger.get(theirs))

    assert [c.id for c in calendars(app)] == [calendar.id]
    assert ics_server.statuses() == [200]


def test_staff_manage_only_the_calendars_of_the_resources_they_provide(
    app, owner, staff, clinic, ics_server, nocsrf
):
    added = add(staff, clinic.own_resource_id, ics_server.url, name="Dr Salma private")
    assert added.status_code == 200
    add(owner, clinic.other_resource_id, ics_server.url, name="Dr Omar private")
    omar = next(c for c in calendars(app) if c.resource_id == clinic.other_resource_id)
    salma = next(c for c in calendars(app) if c.resource_id == clinic.own_resource_id)
    colleague = f"/admin/resources/{clinic.other_resource_id}/calendars"

    assert staff.get(colleague).status_code == 404
    assert staff.post(colleague, data={"calendar_url": ics_server.url}).status_code == 404
    assert staff.post(f"{colleague}/{omar.id}/remove").status_code == 404
    # A colleague's calendar is not reachable through one's own resource either.
    own = f"/admin/resources/{clinic.own_resource_id}/calendars"
    assert staff.post(f"{own}/{omar.id}/remove").status_code == 404

    removed = staff.post(f"{own}/{salma.id}/remove")
    assert removed.status_code == 303
    assert [c.id for c in calendars(app)] == [omar.id]


def test_a_resource_has_at_most_ten_outside_calendars(app, owner, clinic, ics_server):
    with app.app_context():
        for n in range(10):
            db.session.add(
                ExternalCalendar(
                    organization_id=clinic.organization_id,
                    resource_id=clinic.own_resource_id,
                    name=f"Calendar {n}",
                    url=f"https://calendar.example.com/{n}.ics",
                    event_count=0,
                )
            )
        db.session.commit()
    page = text(page_of(owner, clinic.own_resource_id))
    assert "Remove one to add another." in page
    assert 'name="calendar_url"' not in page

    response = add(owner, clinic.own_resource_id, ics_server.url)

    assert response.status_code == 422
    assert "at most 10 outside calendars" in text(response)
    assert len(calendars(app)) == 10
    assert ics_server.seen == []


def test_the_section_reads_right_to_left_in_arabic(app, owner, clinic, ics_server):
    add(owner, clinic.own_resource_id, ics_server.url)

    page = text(owner.get(f"/admin/resources/{clinic.own_resource_id}?lang=ar"))

    assert 'dir="rtl"' in page
    assert 'id="outside-calendars"' in page
    assert '<bdi dir="ltr">127.0.0.1</bdi>' in page
