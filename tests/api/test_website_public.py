"""Website (seed 002): the current website of an app id (public fields, no credential) and
finding a website by its address."""

from __future__ import annotations

import pytest

from tests.admin.conftest import Clinic, build_clinic
from tests.api.tenants import Api, account_key, error_of, organization_key, staff_token
from webapp.extensions import db
from webapp.models import Website

FIND = "/api/website/find"
PRIVATE = {"allowedDomains", "organizationId", "unpublishedChanges", "updatedAt"}


@pytest.fixture
def api(app) -> Api:
    return Api(app)


@pytest.fixture
def north(app) -> Clinic:
    return build_clinic(app, "north")


@pytest.fixture
def south(app) -> Clinic:
    return build_clinic(app, "south")


def _switch_off(app, clinic) -> None:
    with app.app_context():
        website = db.session.get(Website, clinic.website_id)
        for version in website.versions:
            version.on = False
        db.session.commit()


def test_the_current_website_answers_its_public_fields_without_a_credential(app, api, north):
    response = api.get("/api/website", app_id=north.app_id)

    assert response.status_code == 200
    result = response.get_json()["result"]
    assert result["appId"] == north.app_id and result["slug"] == "north-clinic"
    assert result["displayName"] == "North Clinic" and result["timezone"] == "Asia/Riyadh"
    assert result["bookingPolicy"] == "specify" and result["on"] is True
    assert result["url"] == "http://localhost/north-clinic/"
    assert not PRIVATE & set(result)


def test_a_website_that_is_off_still_says_so(app, api, north):
    _switch_off(app, north)

    response = api.get("/api/website", app_id=north.app_id)

    assert response.status_code == 200
    assert response.get_json()["result"]["on"] is False


def test_an_unknown_app_id_is_not_found(api):
    response = api.get("/api/website", app_id="nosuchapp")

    assert response.status_code == 404
    assert error_of(response)["details"]["header"] == "X-APP-ID"


def test_the_draft_of_the_current_website_needs_a_management_credential(app, api, north, south):
    admin = staff_token(app, north, north.admin_id)
    api.put(
        "/api/management/website?version=draft",
        key=admin,
        app_id=north.app_id,
        json={"displayName": "Coming soon"},
    )

    anonymous = api.get("/api/website?version=draft", app_id=north.app_id)
    south_key = api.get(
        "/api/website?version=draft", app_id=north.app_id, key=organization_key(app, south)
    )
    staff = api.get(
        "/api/website?version=draft",
        app_id=north.app_id,
        key=staff_token(app, north, north.staff_id),
    )

    assert anonymous.status_code == south_key.status_code == 401
    assert staff.status_code == 200
    assert staff.get_json()["result"]["displayName"] == "Coming soon"
    assert not PRIVATE & set(staff.get_json()["result"])


def test_an_account_key_finds_a_website_by_its_address(app, api, north):
    key = account_key(app, north.owner_id)

    by_page = api.get(f"{FIND}?url=https://localhost/north-clinic/book?type=x", key=key)
    by_frame = api.get(f"{FIND}?url=https://localhost/embed/{north.app_id}/", key=key)

    assert by_page.status_code == by_frame.status_code == 200
    assert by_page.get_json()["result"]["appId"] == north.app_id
    assert by_frame.get_json()["result"]["slug"] == "north-clinic"
    assert not PRIVATE & set(by_page.get_json()["result"])


def test_find_answers_in_the_requested_language(app, api, north):
    admin = staff_token(app, north, north.admin_id)
    api.put(
        "/api/management/website",
        key=admin,
        app_id=north.app_id,
        json={"displayName_translations": {"ar": "عيادة الشمال"}},
    )

    response = api.get(
        f"{FIND}?url=https://localhost/north-clinic/",
        key=organization_key(app, north),
        lang="ar",
        app_id=north.app_id,
    )

    assert response.get_json()["result"]["displayName"] == "عيادة الشمال"


def test_addresses_that_are_not_a_website_here_are_not_found(app, api, north):
    key = account_key(app, north.owner_id)

    for url in (
        "https://elsewhere.example.com/north-clinic/",
        "https://localhost/no-such-clinic/",
        "https://localhost/",
        "https://localhost/admin/",
        "https://localhost/embed/nosuchapp/",
    ):
        response = api.get(f"{FIND}?url={url}", key=key)
        assert response.status_code == 404, url


def test_find_needs_a_web_address(app, api, north):
    key = account_key(app, north.owner_id)

    for url in ("", "north-clinic", "ftp://localhost/north-clinic/", "x" * 2001):
        response = api.get(f"{FIND}?url={url}", key=key)
        assert response.status_code == 422, url
        assert error_of(response)["details"]["field"] == "url"


def test_find_needs_a_credential(api, north):
    assert api.get(f"{FIND}?url=https://localhost/north-clinic/").status_code == 401


def test_a_website_that_is_off_is_found_only_by_its_own_organization(app, api, north, south):
    _switch_off(app, north)
    url = f"{FIND}?url=https://localhost/north-clinic/"

    stranger = api.get(url, key=account_key(app, south.owner_id))
    own = api.get(url, key=account_key(app, north.owner_id))

    assert stranger.status_code == 404
    assert own.status_code == 200 and own.get_json()["result"]["on"] is False


def test_a_closed_organizations_website_is_not_found(app, api, north):
    owner = account_key(app, north.owner_id)
    api.delete(f"/api/management/organizations/{north.organization_id}", key=owner)

    response = api.get(f"{FIND}?url=https://localhost/north-clinic/", key=owner)

    assert response.status_code == 404
