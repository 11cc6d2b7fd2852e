"""Calendar feeds in the admin: owners and admins make, renew and turn off the organization's
feed; each member does the same for the resources they provide, on the feeds page and on the
resource's own page; the address works at once and the API shows it."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest

from tests.admin.conftest import csrf_token, htmx, row, sign_in, text
from tests.api.management_setup import build_desk
from webapp.models import CalendarFeed, Resource

URL = re.compile(r'value="(http://localhost/calendar/feed/[^"]+\.ics)"')
ORGANIZATION_BOX = "feed-organization"


def feed_url(page: str) -> str:
    found = URL.search(page)
    assert found, "the page shows no feed address"
    return unescape(found.group(1))


def path_of(url: str) -> str:
    return urlsplit(url).path


def make_feed(client, resource_id: str | None = None, **data) -> str:
    """Press "Make a feed address" in a box (HTMX); the address the answer shows."""
    target = f"feed-{resource_id}" if resource_id else ORGANIZATION_BOX
    response = client.post(
        "/admin/calendar/feeds",
        data={"resource_id": resource_id or "", **data},
        headers=htmx(target=target),
    )
    assert response.status_code == 200, text(response)
    assert "toast" in response.headers["HX-Trigger"]
    return feed_url(text(response))


def feed_id(app, resource_id: str | None = None) -> str:
    return row(app, CalendarFeed, resource_id=resource_id).id


def test_an_owner_makes_the_organization_feed_and_a_calendar_app_reads_it(
    app, owner, clinic, nocsrf
):
    page = text(owner.get("/admin/calendar/feeds"))
    assert f'id="{ORGANIZATION_BOX}"' in page and "Make a feed address" in page

    url = make_feed(owner)

    response = app.test_client().get(path_of(url))
    assert response.status_code == 200
    assert response.data.startswith(b"BEGIN:VCALENDAR")
    assert "North Clinic" in response.get_data(as_text=True)
    assert feed_url(text(owner.get("/admin/calendar/feeds"))) == url


def test_the_calendar_page_leads_to_the_feeds(owner, clinic):
    page = text(owner.get("/admin/calendar"))

    assert 'href="/admin/calendar/feeds"' in page


def test_a_new_address_stops_the_old_one(app, admin, clinic, nocsrf):
    old = make_feed(admin)

    response = admin.post(
        f"/admin/calendar/feeds/{feed_id(app)}/regenerate", headers=htmx(target=ORGANIZATION_BOX)
    )

    new = feed_url(text(response))
    assert new != old
    assert "new address" in response.headers["HX-Trigger"]
    reader = app.test_client()
    assert reader.get(path_of(old)).status_code == 404
    assert reader.get(path_of(new)).status_code == 200


def test_turning_a_feed_off_stops_its_address(app, owner, clinic, nocsrf):
    url = make_feed(owner)

    response = owner.post(
        f"/admin/calendar/feeds/{feed_id(app)}/revoke", headers=htmx(target=ORGANIZATION_BOX)
    )

    assert "Make a feed address" in text(response)
    assert app.test_client().get(path_of(url)).status_code == 404
    assert row(app, CalendarFeed) is None


def test_the_resource_page_has_its_own_feed_box(app, admin, clinic, nocsrf):
    page = text(admin.get(f"/admin/resources/{clinic.own_resource_id}"))
    assert f'id="feed-{clinic.own_resource_id}"' in page
    assert "Calendar feed" in page

    url = make_feed(admin, clinic.own_resource_id, back="resource")

    assert feed_url(text(admin.get(f"/admin/resources/{clinic.own_resource_id}"))) == url
    assert app.test_client().get(path_of(url)).status_code == 200
    # The organization's feed is another feed, not made by this.
    assert row(app, CalendarFeed, resource_id=None) is None


def test_without_javascript_the_form_goes_back_to_the_resource_page(admin, clinic, nocsrf):
    response = admin.post(
        "/admin/calendar/feeds",
        data={"resource_id": clinic.own_resource_id, "back": "resource"},
    )

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/resources/{clinic.own_resource_id}")
    page = text(admin.get(response.headers["Location"]))
    assert "The feed is ready" in page and feed_url(page)


def test_a_staff_member_manages_the_feed_of_the_resource_they_provide(app, staff, clinic, nocsrf):
    page = text(staff.get("/admin/calendar/feeds"))
    assert f'id="feed-{clinic.own_resource_id}"' in page
    assert ORGANIZATION_BOX not in page and f"feed-{clinic.other_resource_id}" not in page

    url = make_feed(staff, clinic.own_resource_id)

    assert app.test_client().get(path_of(url)).status_code == 200


def test_a_staff_member_cannot_touch_a_colleagues_feed_or_the_organizations(
    app, owner, staff, clinic, nocsrf
):
    colleague = make_feed(owner, clinic.other_resource_id)
    everything = make_feed(owner)
    colleague_feed = feed_id(app, clinic.other_resource_id)

    refused = [
        staff.post("/admin/calendar/feeds", data={"resource_id": clinic.other_resource_id}),
        staff.post(f"/admin/calendar/feeds/{colleague_feed}/regenerate"),
        staff.post(f"/admin/calendar/feeds/{colleague_feed}/revoke"),
    ]
    assert [r.status_code for r in refused] == [404, 404, 404]
    org_feed = feed_id(app, None)
    assert staff.post("/admin/calendar/feeds", data={"resource_id": ""}).status_code == 403
    assert staff.post(f"/admin/calendar/feeds/{org_feed}/revoke").status_code == 403

    reader = app.test_client()
    assert reader.get(path_of(colleague)).status_code == 200
    assert reader.get(path_of(everything)).status_code == 200


def test_another_organization_cannot_reach_this_ones_feeds(
    app, owner, clinic, other_clinic, nocsrf
):
    url = make_feed(owner)
    neighbour = sign_in(app.test_client(), other_clinic.owner_id)

    answers = [
        neighbour.post(f"/admin/calendar/feeds/{feed_id(app)}/regenerate"),
        neighbour.post(f"/admin/calendar/feeds/{feed_id(app)}/revoke"),
        neighbour.post("/admin/calendar/feeds", data={"resource_id": clinic.own_resource_id}),
    ]

    assert [a.status_code for a in answers] == [404, 404, 404]
    assert app.test_client().get(path_of(url)).status_code == 200
    assert f"feed-{clinic.own_resource_id}" not in text(neighbour.get("/admin/calendar/feeds"))


def test_the_buttons_need_the_pages_form_token(app, owner, clinic):
    refused = owner.post("/admin/calendar/feeds", data={"resource_id": ""})
    assert refused.status_code == 400
    assert row(app, CalendarFeed) is None

    token = csrf_token(owner.get("/admin/calendar/feeds"))
    made = owner.post(
        "/admin/calendar/feeds",
        data={"resource_id": "", "csrf_token": token},
        headers=htmx(target=ORGANIZATION_BOX),
    )
    assert made.status_code == 200 and feed_url(text(made))


def test_deleting_a_resource_turns_its_feed_off(app, admin, clinic, nocsrf):
    url = make_feed(admin, clinic.own_resource_id)

    response = admin.post(f"/admin/resources/{clinic.own_resource_id}/delete")

    assert response.status_code == 303
    assert row(app, Resource, id=clinic.own_resource_id) is None
    assert app.test_client().get(path_of(url)).status_code == 404


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_feeds_page_speaks_both_languages(owner, clinic, lang, nocsrf):
    make_feed(owner)

    page = text(owner.get(f"/admin/calendar/feeds?lang={lang}"))

    assert f'lang="{lang}"' in page
    assert ("rtl" in page) == (lang == "ar")
    assert 'readonly dir="ltr"' in page  # the address reads left to right in Arabic too


# -- the API ----------------------------------------------------------------------------------


def test_the_api_resource_carries_the_feed_made_in_the_admin(app, nocsrf):
    desk = build_desk(app)
    path = f"/api/management/resources/{desk.clinic.own_resource_id}"
    assert desk.get(path).get_json()["result"]["calendarFeedUrl"] is None

    url = make_feed(sign_in(app.test_client(), desk.clinic.owner_id), desk.clinic.own_resource_id)

    assert desk.get(path).get_json()["result"]["calendarFeedUrl"] == url
    listed = {
        r["id"]: r for r in desk.get("/api/management/resources?limit=50").get_json()["result"]
    }
    assert listed[desk.clinic.own_resource_id]["calendarFeedUrl"] == url
    assert listed[desk.clinic.other_resource_id]["calendarFeedUrl"] is None
    mine = desk.get("/api/management/resources/mine", "staff").get_json()["result"]
    assert [r["calendarFeedUrl"] for r in mine] == [url]


def test_the_managed_website_carries_the_organization_feed_and_the_public_one_never(app, nocsrf):
    desk = build_desk(app)
    assert desk.get("/api/management/website").get_json()["result"]["calendarFeedUrl"] is None

    url = make_feed(sign_in(app.test_client(), desk.clinic.owner_id))

    assert desk.get("/api/management/website").get_json()["result"]["calendarFeedUrl"] == url
    assert desk.get("/api/management/website", "key").get_json()["result"]["calendarFeedUrl"] == url
    staff = desk.get("/api/management/website", "staff").get_json()["result"]
    assert staff["calendarFeedUrl"] is None  # every resource's customers: not for staff
    public = desk.get("/api/website", None)
    assert public.status_code == 200
    assert "calendarFeedUrl" not in public.get_json()["result"]
    assert "/calendar/feed/" not in public.get_data(as_text=True)
