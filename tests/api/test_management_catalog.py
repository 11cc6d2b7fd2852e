"""Manage resources through the API (seed 002): what staff, admins and keys may read and
write, and what another organization's credentials and ids get."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.api.management_setup import Desk, build_desk, error_of, field_of
from tests.factories import at, create_booking
from webapp.booking.states import Actor
from webapp.extensions import db
from webapp.models import (
    Booking,
    BookingType,
    Member,
    Organization,
    Resource,
    User,
    WebsiteVersion,
)

R = "/api/management/resources"


@pytest.fixture
def desk(app) -> Desk:
    return build_desk(app)


def _count(app, organization_id) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(Resource)
            .where(Resource.organization_id == organization_id)
        )


def _new(desk, **values) -> dict:
    answer = desk.post(R, {"name": "Room 1", **values})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["result"]


def test_an_admin_creates_a_resource_with_every_seed_field_and_reads_it_back(desk):
    sent = {
        "id": "res_12345abcde",  # assigned by Mawid; a client's own id is not used
        "name": "Dr. Sarah Johnson",
        "name_translations": {"ar": "د. سارة جونسون"},
        "on": True,
        "description": "Pediatric dentistry",
        "description_translations": {"ar": "طب أسنان الأطفال"},
        "photo": {"url": "https://cdn.example.com/sarah.jpg", "id": "p1"},
        "photos": [{"url": "https://cdn.example.com/clinic.jpg"}],
        "bookFromWebsite": False,
        "activated": True,
        "meta": {"specialty": "pediatrics", "languages": ["ar", "en"]},
        "types": [desk.clinic.type_id],
        "providerEmail": "sarah@example.com",
        "providerPhone": "+966 50 123 4567",
    }

    created = desk.post(R, sent)

    assert created.status_code == 201
    result = created.get_json()["result"]
    assert result["id"] != "res_12345abcde" and len(result["id"]) == 20
    assert result["name"] == "Dr. Sarah Johnson"
    assert result["name_translations"] == {"en": "Dr. Sarah Johnson", "ar": "د. سارة جونسون"}
    assert result["description_translations"]["ar"] == "طب أسنان الأطفال"
    assert result["photo"] == {"id": "p1", "url": "https://cdn.example.com/sarah.jpg"}
    assert result["photos"] == [{"id": None, "url": "https://cdn.example.com/clinic.jpg"}]
    assert result["on"] is True and result["activated"] is True
    assert result["bookFromWebsite"] is False
    assert result["meta"] == {"specialty": "pediatrics", "languages": ["ar", "en"]}
    assert result["types"] == [desk.clinic.type_id]
    assert result["timeZone"] == "Asia/Riyadh" and result["category"] is None
    # The provider is set through POST and PUT, never answered.
    assert "providerEmail" not in result and "providerPhone" not in result
    # A new resource has no calendar feed yet: no address.
    assert result["calendarFeedUrl"] is None
    read = desk.get(f"{R}/{result['id']}", "owner").get_json()["result"]
    assert read == result
    with desk.app.app_context():
        stored = db.session.get(Resource, result["id"])
        assert stored.provider_phone == "+966501234567"


def test_the_list_pages_through_every_resource_once(desk):
    for n in range(5):
        _new(desk, name=f"Room {n}", position=n)
    seen, token, pages = [], None, 0
    while True:
        query = {"limit": 3, **({"nextPageToken": token} if token else {})}
        answer = desk.get(R, "key", query_string=query).get_json()
        seen += [r["id"] for r in answer["result"]]
        pages += 1
        if not answer["pagination"]["hasMore"]:
            assert answer["pagination"]["nextPageToken"] is None
            break
        token = answer["pagination"]["nextPageToken"]

    assert pages == 3 and len(seen) == len(set(seen)) == 7  # the clinic's two and five rooms


def test_a_page_token_of_another_list_or_a_bad_limit_is_refused(desk):
    desk.post("/api/management/types", {"name": "Cleaning", "minutes": 30})
    types = desk.get("/api/management/types", query_string={"limit": 1}).get_json()

    wrong = desk.get(R, query_string={"nextPageToken": types["pagination"]["nextPageToken"]})
    forged = desk.get(R, query_string={"nextPageToken": "eyJpZCI6IjYzZjA5"})
    bad_limit = desk.get(R, query_string={"limit": 1000})

    for answer, field in (
        (wrong, "nextPageToken"),
        (forged, "nextPageToken"),
        (bad_limit, "limit"),
    ):
        assert answer.status_code == 422 and field_of(answer) == field


def test_a_staff_member_reads_only_the_resources_they_provide(desk):
    own, other = desk.clinic.own_resource_id, desk.clinic.other_resource_id

    listed = desk.get(R, "staff").get_json()["result"]
    mine = desk.get(f"{R}/mine", "staff").get_json()["result"]
    theirs = desk.get(f"{R}/{other}", "staff")
    unknown = desk.get(f"{R}/nosuchresource000000", "staff")

    assert [r["id"] for r in listed] == [own] == [r["id"] for r in mine]
    assert theirs.status_code == unknown.status_code == 404
    assert error_of(theirs) == error_of(unknown)
    # An organization key provides nothing; an admin token provides nothing here either.
    assert desk.get(f"{R}/mine", "key").get_json()["result"] == []
    assert desk.get(f"{R}/mine", "admin").get_json()["result"] == []


def test_viewing_permission_lists_hold_the_active_resources_the_caller_may_see(desk):
    own, other = desk.clinic.own_resource_id, desk.clinic.other_resource_id
    off = _new(desk, name="Old room", on=False)
    for path in ("withConfirmedViewingPermission", "withRequestViewingPermission"):
        admin = [r["id"] for r in desk.get(f"{R}/{path}").get_json()["result"]]
        staff = [r["id"] for r in desk.get(f"{R}/{path}", "staff").get_json()["result"]]

        assert set(admin) == {own, other} and off["id"] not in admin
        assert staff == [own]


def test_setting_the_provider_by_email_makes_the_resource_the_members_own(desk):
    created = _new(desk, name="Lab", providerEmail="NORTH-doctor@example.com")

    mine = [r["id"] for r in desk.get(f"{R}/mine", "staff").get_json()["result"]]

    assert created["id"] in mine
    assert desk.get(f"{R}/{created['id']}", "staff").status_code == 200


def test_an_update_changes_only_what_it_sends_and_names_are_written_in_the_request_language(desk):
    created = _new(desk, name="Room A", meta={"floor": 2}, types=[desk.clinic.type_id])
    path = f"{R}/{created['id']}"

    arabic = desk.put(path, {"name": "الغرفة أ"}, lang="ar")
    english = desk.get(path, lang="en").get_json()["result"]

    assert arabic.status_code == 200
    assert arabic.get_json()["result"]["name"] == "الغرفة أ"
    assert english["name"] == "Room A"
    assert english["name_translations"] == {"en": "Room A", "ar": "الغرفة أ"}
    assert english["meta"] == {"floor": 2} and english["types"] == [desk.clinic.type_id]
    switched = desk.put(path, {"on": False, "types": []}).get_json()["result"]
    assert switched["on"] is False and switched["types"] == []
    # What was read can be sent back unchanged.
    again = desk.put(path, english)
    assert again.status_code == 200 and again.get_json()["result"]["name"] == "Room A"


def test_arabic_names_come_back_with_lang_ar(desk):
    _new(desk, name="Room B", name_translations={"ar": "الغرفة ب"}, position=0)

    names = [r["name"] for r in desk.get(R, lang="ar").get_json()["result"]]

    assert "الغرفة ب" in names and "Room B" not in names


def test_deleting_a_resource_never_booked_removes_it(desk):
    created = _new(desk, providerEmail="north-doctor@example.com")

    answer = desk.delete(f"{R}/{created['id']}")

    assert answer.status_code == 200
    assert answer.get_json()["result"] == {"id": created["id"], "deleted": True}
    assert answer.get_json()["message"]
    assert desk.get(f"{R}/{created['id']}").status_code == 404
    assert created["id"] not in [
        r["id"] for r in desk.get(f"{R}/mine", "staff").get_json()["result"]
    ]


def test_a_booked_resource_is_kept_for_its_history(desk, app):
    with app.app_context():
        organization = db.session.get(Organization, desk.clinic.organization_id)
        booking_type = db.session.get(BookingType, desk.clinic.type_id)

        create_booking(
            db.session,
            organization,
            booking_type,
            resource_id=desk.clinic.other_resource_id,
            start=at("2026-11-22 10:00"),
            now=at("2026-11-21 09:00"),
            actor=Actor("staff"),
        )
        db.session.commit()

    answer = desk.delete(f"{R}/{desk.clinic.other_resource_id}")

    assert answer.status_code == 409 and error_of(answer)["code"] == "RESOURCE_IN_USE"
    assert desk.get(f"{R}/{desk.clinic.other_resource_id}").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


# -- who may call --------------------------------------------------------------------------


CALLS = [
    ("GET", R, None),
    ("POST", R, {"name": "X"}),
    ("GET", f"{R}/mine", None),
    ("GET", f"{R}/withConfirmedViewingPermission", None),
    ("GET", f"{R}/withRequestViewingPermission", None),
    ("GET", f"{R}/{{own}}", None),
    ("PUT", f"{R}/{{own}}", {"name": "X"}),
    ("DELETE", f"{R}/{{own}}", None),
]


@pytest.mark.parametrize(("method", "path", "json"), CALLS)
@pytest.mark.parametrize("who", [None, "mwd_not-a-real-key", "mwa_forged.token", "south_key"])
def test_without_a_valid_credential_of_this_organization_the_answer_is_401(
    desk, method, path, json, who
):
    path = path.format(own=desk.clinic.own_resource_id)

    answer = desk.call(method, path, who, json=json)

    assert answer.status_code == 401, (method, path, who)
    assert error_of(answer)["code"] == "UNAUTHORIZED"


def test_a_token_of_another_organization_is_refused_too(desk):
    assert desk.get(R, "south_admin").status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "json"),
    [
        ("POST", R, {"name": "X"}),
        ("PUT", f"{R}/{{own}}", {"name": "X"}),
        ("DELETE", f"{R}/{{own}}", None),
    ],
)
def test_a_staff_member_may_not_write_resources(desk, method, path, json):
    answer = desk.call(method, path.format(own=desk.clinic.own_resource_id), "staff", json=json)

    assert answer.status_code == 403 and error_of(answer)["code"] == "FORBIDDEN"
    assert _count(desk.app, desk.clinic.organization_id) == 2


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_another_organizations_resource_answers_like_an_unknown_one(desk, method):
    json = {"name": "Taken"} if method == "PUT" else None
    foreign = desk.call(method, f"{R}/{desk.other.own_resource_id}", json=json)
    unknown = desk.call(method, f"{R}/unknownresource00000", json=json)

    assert foreign.status_code == unknown.status_code == 404
    assert error_of(foreign) == error_of(unknown)
    with desk.app.app_context():
        assert db.session.get(Resource, desk.other.own_resource_id).name == "Dr Salma"


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": 42}, "name"),
        ({"name": "X", "on": "yes"}, "on"),
        ({"name": "X", "types": "abc"}, "types"),
        ({"name": "X", "types": ["unknowntype000000000"]}, "types"),
        ({"name": "X", "category": "nosuchcategory"}, "category"),
        ({"name": "X", "timeZone": "Mars/Olympus"}, "timeZone"),
        ({"name": "X", "meta": {"a": {"nested": 1}}}, "meta.a"),
        ({"name": "X", "meta": "text"}, "meta"),
        ({"name": "X", "meta": {"a": float("nan")}}, "meta"),
        ({"name": "X", "photo": {"url": "javascript:alert(1)"}}, "photo.url"),
        ({"name": "X", "photos": "one"}, "photos"),
        ({"name": "X", "providerEmail": "not-an-email"}, "providerEmail"),
        ({"name": "X", "providerPhone": "12"}, "providerPhone"),
        ({"name": "X", "position": -1}, "position"),
        ({"name": "X", "name_translations": {"fr": "Y"}}, "name_translations.fr"),
        ({"name": "X", "bookFromWebSite": True}, "bookFromWebSite"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(desk, sent, field):
    created = desk.post(R, sent)
    updated = desk.put(f"{R}/{desk.clinic.own_resource_id}", sent)

    for answer in (created, updated):
        assert answer.status_code == 422, answer.get_json()
        assert field_of(answer) == field
        assert error_of(answer)["message"]
    assert _count(desk.app, desk.clinic.organization_id) == 2
    with desk.app.app_context():
        assert db.session.get(Resource, desk.clinic.own_resource_id).name == "Dr Salma"


def test_a_new_resource_needs_a_name(desk):
    answer = desk.post(R, {"description": "no name"})

    assert answer.status_code == 422 and field_of(answer) == "name"
    assert _count(desk.app, desk.clinic.organization_id) == 2


def test_a_type_of_another_organization_cannot_be_offered(desk):
    answer = desk.post(R, {"name": "X", "types": [desk.other.type_id]})

    assert answer.status_code == 422 and field_of(answer) == "types"


def test_a_body_that_is_not_an_object_is_refused(desk):
    answer = desk.call("POST", R, data="[1, 2]", content_type="application/json")

    assert answer.status_code == 422


def test_the_member_list_of_a_deleted_resource_stays_readable(desk, app):
    created = _new(desk, providerEmail="north-doctor@example.com")
    desk.delete(f"{R}/{created['id']}")

    with app.app_context():
        member = db.session.scalar(
            select(Member).join(User).where(User.email == "north-doctor@example.com")
        )
        assert [r.id for r in member.resources] == [desk.clinic.own_resource_id]


def test_management_works_on_a_website_that_is_switched_off_and_with_x_api_key(desk):
    with desk.app.app_context():
        version = db.session.scalar(
            select(WebsiteVersion).where(
                WebsiteVersion.website_id == desk.clinic.website_id,
                WebsiteVersion.version == "default",
            )
        )
        version.on = False
        db.session.commit()

    answer = desk.client.get(
        R, headers={"X-APP-ID": desk.clinic.app_id, "X-API-KEY": desk.credentials["key"]}
    )

    assert answer.status_code == 200
    assert len(answer.get_json()["result"]) == 2
