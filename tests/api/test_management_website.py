"""Manage Website (seed 002): every setting by its seed name, read and written as the draft
or the live version; allowed embedding domains; the logo as a data URL; and what a bad
value does (names its field, saves nothing)."""

from __future__ import annotations

import pytest

from tests.admin.conftest import Clinic, build_clinic
from tests.api.tenants import Api, error_of, organization_key, staff_token

SITE = "/api/management/website"
SEED_FIELDS = {
    "name",
    "timezone",
    "on",
    "logo",
    "logoFavIcon",
    "displayName",
    "description",
    "terms",
    "bookingSuccessMessage",
    "bookingPolicy",
    "bookingTimePolicy",
    "suggestedTimes",
    "bookingTimeSplitting",
    "fixedTimes",
    "bookingTimeSplittingOptimize",
    "bookingTimeShowMidnight",
    "selectTypeFirst",
    "selectResourceCategory",
    "hideResource",
    "theme",
    "callSupport",
    "whatsapp",
    "emailSupport",
    "twitter",
    "instagram",
    "facebook",
    "tiktok",
    "snapchat",
    "map",
    "maroof",
    "saudiBusinessCenter",
}
PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNk"
    "YAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@pytest.fixture
def api(app) -> Api:
    return Api(app)


@pytest.fixture
def north(app) -> Clinic:
    return build_clinic(app, "north")


@pytest.fixture
def south(app) -> Clinic:
    return build_clinic(app, "south")


@pytest.fixture
def admin(app, north) -> dict:
    return {"key": staff_token(app, north, north.admin_id), "app_id": north.app_id}


def _get(api, who, version="default", **headers) -> dict:
    response = api.get(f"{SITE}?version={version}", **who, **headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["result"]


def test_the_website_has_every_seed_setting_and_its_embedding_domains(api, north, admin):
    result = _get(api, admin)

    assert set(result) >= SEED_FIELDS
    assert result["appId"] == north.app_id and result["slug"] == "north-clinic"
    assert result["version"] == "default"
    assert result["allowedDomains"] == []
    assert result["name"] == "North Clinic" and result["timezone"] == "Asia/Riyadh"
    assert result["unpublishedChanges"] == []


def test_every_seed_setting_is_written_and_read_back(api, north, admin):
    body = {
        "name": "North Clinic Riyadh",
        "timezone": "Asia/Riyadh",
        "on": True,
        "displayName": "North Clinic",
        "description": "Family medicine",
        "terms": "Come 10 minutes early.",
        "bookingSuccessMessage": "See you soon",
        "bookingPolicy": "specifyAndLeastFirst",
        "bookingTimePolicy": "suggest",
        "suggestedTimes": 4,
        "bookingTimeSplitting": "fixed",
        "fixedTimes": [600, 540],
        "bookingTimeSplittingOptimize": True,
        "bookingTimeShowMidnight": False,
        "selectTypeFirst": False,
        "selectResourceCategory": True,
        "hideResource": True,
        "theme": {"primaryColor": "#123456", "textColor": "#000000"},
        "callSupport": "+966 11 000 0000",
        "whatsapp": "+966500000000",
        "emailSupport": "Help@North.example",
        "twitter": "@northclinic",
        "instagram": "northclinic",
        "facebook": "northclinic",
        "tiktok": "northclinic",
        "snapchat": "northclinic",
        "map": {"label": "Olaya St", "url": "https://maps.example.com/x", "lat": 24.7, "lng": 46.6},
        "maroof": "12345",
        "saudiBusinessCenter": "SBC-99",
    }

    response = api.put(f"{SITE}?version=default", json=body, **admin)

    assert response.status_code == 200, response.get_json()
    result = _get(api, admin)
    expected = {
        **body,
        "fixedTimes": [540, 600],
        "emailSupport": "help@north.example",
        "twitter": "northclinic",
    }
    assert {k: result[k] for k in body} == expected


def test_a_draft_change_waits_while_customers_see_the_live_settings(app, api, north, admin):
    changed = api.put(
        f"{SITE}?version=draft",
        json={"displayName": "North (new)", "bookingPolicy": "leastFirst"},
        **admin,
    )

    assert changed.status_code == 200
    assert changed.get_json()["result"]["displayName"] == "North (new)"
    assert set(changed.get_json()["result"]["unpublishedChanges"]) == {
        "displayName",
        "bookingPolicy",
    }
    live = _get(api, admin)
    assert live["displayName"] == "North Clinic" and live["bookingPolicy"] == "specify"
    public = api.get("/api/website", app_id=north.app_id).get_json()["result"]
    assert public["displayName"] == "North Clinic"
    assert _get(api, admin, "draft")["displayName"] == "North (new)"


def test_a_live_change_is_seen_at_once_and_the_draft_keeps_its_own_changes(api, north, admin):
    api.put(f"{SITE}?version=draft", json={"displayName": "Draft name"}, **admin)

    response = api.put(
        f"{SITE}", json={"description": "Open on Saturdays", "hideResource": True}, **admin
    )

    assert response.status_code == 200
    public = api.get("/api/website", app_id=north.app_id).get_json()["result"]
    assert public["description"] == "Open on Saturdays" and public["hideResource"] is True
    draft = _get(api, admin, "draft")
    assert draft["description"] == "Open on Saturdays"  # followed the live change
    assert draft["displayName"] == "Draft name"  # its own change stays
    assert _get(api, admin)["unpublishedChanges"] == ["displayName"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"on": "yes"}, "on"),
        ({"bookingPolicy": "random"}, "bookingPolicy"),
        ({"bookingTimePolicy": 3}, "bookingTimePolicy"),
        ({"suggestedTimes": "3"}, "suggestedTimes"),
        ({"suggestedTimes": 99}, "suggestedTimes"),
        ({"bookingTimeSplitting": "fixed", "fixedTimes": []}, "fixedTimes"),
        ({"fixedTimes": ["09:00"]}, "fixedTimes"),
        ({"fixedTimes": [1440]}, "fixedTimes"),
        ({"emailSupport": "not an address"}, "emailSupport"),
        ({"callSupport": "call us"}, "callSupport"),
        ({"twitter": "https://x.com/north"}, "twitter"),
        ({"map": {"lat": 100, "lng": 0}}, "map.lat"),
        ({"map": {"lat": 24.7}}, "map.lng"),
        ({"map": {"url": "javascript:alert(1)"}}, "map.url"),
        ({"map": "Riyadh"}, "map"),
        ({"theme": {"primaryColor": "red;}"}}, "theme.primaryColor"),
        ({"theme": {"shadow": "#ffffff"}}, "theme.shadow"),
        ({"displayName_translations": {"fr": "Nord"}}, "displayName_translations.fr"),
        ({"displayName_translations": {"ar": 5}}, "displayName_translations.ar"),
        ({"description": "x" * 10_001}, "description"),
        ({"allowedDomains": ["shop.example.com/path"]}, "allowedDomains"),
        ({"allowedDomains": "https://shop.example.com"}, "allowedDomains"),
        ({"slug": "api"}, "slug"),
        ({"slug": "south-clinic"}, "slug"),
        ({"logo": {"fileName": "x.png", "data": "data:image/png;base64,!!"}}, "logo.data"),
        ({"logo": {"fileName": "x.html", "data": "data:text/html;base64,PGI+"}}, "logo.data"),
        ({"logo": "https://example.com/logo.png"}, "logo"),
    ],
)
def test_a_bad_setting_names_its_field_and_saves_nothing(api, north, south, admin, body, field):
    before = _get(api, admin), _get(api, admin, "draft")

    live = api.put(f"{SITE}?version=default", json={"description": "Changed", **body}, **admin)
    draft = api.put(f"{SITE}?version=draft", json={"description": "Changed", **body}, **admin)

    for response in (live, draft):
        assert response.status_code == 422, response.get_json()
        assert error_of(response)["details"]["field"] == field
        assert field.split(".")[0] in error_of(response)["message"]
    assert (_get(api, admin), _get(api, admin, "draft")) == before


def test_an_unknown_version_is_refused(api, admin):
    response = api.get(f"{SITE}?version=beta", **admin)

    assert response.status_code == 422
    assert error_of(response)["details"]["field"] == "version"


def test_allowed_domains_are_kept_as_origins_and_apply_at_once(app, api, north, admin):
    response = api.put(
        f"{SITE}?version=draft",
        json={
            "allowedDomains": [
                "https://Shop.Example.com/",
                "https://shop.example.com:443",
                "http://localhost:8080",
                "https://*.example.org",
            ]
        },
        **admin,
    )

    assert response.status_code == 200
    expected = ["https://shop.example.com", "http://localhost:8080", "https://*.example.org"]
    assert response.get_json()["result"]["allowedDomains"] == expected
    assert _get(api, admin)["allowedDomains"] == expected
    frame = app.test_client().get(f"/embed/{north.app_id}/")
    assert "https://shop.example.com" in frame.headers["Content-Security-Policy"]
    cleared = api.put(SITE, json={"allowedDomains": []}, **admin)
    assert cleared.get_json()["result"]["allowedDomains"] == []


def test_a_new_address_moves_the_website_at_once(app, api, north, admin):
    response = api.put(SITE, json={"slug": "north-riyadh"}, **admin)

    assert response.status_code == 200
    assert response.get_json()["result"]["slug"] == "north-riyadh"
    assert app.test_client().get("/north-riyadh/").status_code == 200
    assert app.test_client().get("/north-clinic/").status_code == 404


def test_the_logo_is_sent_as_a_data_url_and_removed_with_null(app, api, north, admin):
    response = api.put(
        f"{SITE}?version=draft", json={"logo": {"fileName": "logo.png", "data": PIXEL}}, **admin
    )

    assert response.status_code == 200, response.get_json()
    logo = response.get_json()["result"]["logo"]
    assert logo["id"] and logo["url"].startswith("http://localhost/media/")
    image = app.test_client().get(logo["url"].removeprefix("http://localhost"))
    assert image.status_code == 200 and image.mimetype == "image/png"
    image.close()
    # Sending the logo back as it was answered keeps it.
    kept = api.put(f"{SITE}?version=draft", json={"logo": logo, "terms": "New"}, **admin)
    assert kept.get_json()["result"]["logo"] == logo
    removed = api.put(f"{SITE}?version=draft", json={"logo": None}, **admin)
    assert removed.get_json()["result"]["logo"] is None


def test_arabic_texts_are_answered_in_arabic_when_asked(api, north, admin):
    api.put(
        SITE,
        json={
            "displayName_translations": {"ar": "عيادة الشمال"},
            "description_translations": {"ar": "طب الأسرة", "en": "ignored"},
        },
        **admin,
    )

    arabic = _get(api, admin, lang="ar")
    english = _get(api, admin, lang="en")

    assert arabic["displayName"] == "عيادة الشمال" and arabic["description"] == "طب الأسرة"
    assert english["displayName"] == "North Clinic"
    assert english["displayName_translations"] == {"ar": "عيادة الشمال"}
    public = api.get("/api/website", app_id=north.app_id, lang="ar").get_json()["result"]
    assert public["displayName"] == "عيادة الشمال"
    cleared = api.put(SITE, json={"displayName_translations": {"ar": None}}, **admin)
    assert cleared.get_json()["result"]["displayName_translations"] == {}


def test_a_staff_member_reads_the_settings_but_cannot_change_them(app, api, north):
    staff = {"key": staff_token(app, north, north.staff_id), "app_id": north.app_id}

    assert api.get(SITE, **staff).status_code == 200
    changed = api.put(SITE, json={"displayName": "Mine"}, **staff)
    assert changed.status_code == 403
    assert api.get(SITE, app_id=north.app_id).status_code == 401


def test_one_organizations_credential_cannot_reach_anothers_website(app, api, north, south):
    south_key = organization_key(app, south)

    read = api.get(SITE, key=south_key, app_id=north.app_id)
    changed = api.put(SITE, key=south_key, app_id=north.app_id, json={"displayName": "Ours"})
    token = staff_token(app, south, south.admin_id)
    by_token = api.put(SITE, key=token, app_id=north.app_id, json={"displayName": "Ours"})

    assert read.status_code == changed.status_code == by_token.status_code == 401
    assert api.get("/api/website", app_id=north.app_id).get_json()["result"]["displayName"] == (
        "North Clinic"
    )


def test_draft_and_live_writes_work_on_each_database(any_app):
    clinic = build_clinic(any_app, "north")
    api = Api(any_app)
    admin = {"key": staff_token(any_app, clinic, clinic.admin_id), "app_id": clinic.app_id}
    api.put(
        f"{SITE}?version=draft", json={"map": {"label": "Olaya", "lat": 24.7, "lng": 46.6}}, **admin
    )

    live = api.put(SITE, json={"theme": {"primaryColor": "#123456"}, "fixedTimes": [540]}, **admin)

    assert live.status_code == 200, live.get_json()
    draft = _get(api, admin, "draft")
    assert draft["theme"] == {"primaryColor": "#123456"} and draft["fixedTimes"] == [540]
    assert draft["map"] == {"label": "Olaya", "lat": 24.7, "lng": 46.6}
    assert _get(api, admin)["unpublishedChanges"] == ["map"]
