"""The website's settings: a draft that customers see only once it is published, the
address, the colours, the sites allowed to embed the widget and the snippets that embed it."""

from __future__ import annotations

import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.admin.conftest import htmx, text
from webapp.extensions import db
from webapp.models import Website, WebsiteVersion


def _version(app, clinic, name: str) -> WebsiteVersion:
    with app.app_context():
        return db.session.scalar(
            db.select(WebsiteVersion).filter_by(website_id=clinic.website_id, version=name)
        )


def _website(app, clinic) -> Website:
    with app.app_context():
        return db.session.get(Website, clinic.website_id)


def _settings(**overrides) -> dict:
    """The settings form as a browser posts it for the clinic as it was made."""
    values = {
        "on": "1",
        "name": "North Clinic",
        "display_name": "North Clinic",
        "timezone": "Asia/Riyadh",
        "default_lang": "en",
        "booking_policy": "specify",
        "select_type_first": "1",
        "hold_minutes": "10",
        "change_notice_hours": "0",
        "booking_time_policy": "displayAll",
        "suggested_times": "3",
        "booking_time_splitting": "oclockAndHalf",
        "booking_time_show_midnight": "1",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def _snippet(page: str, kind: str) -> str:
    found = re.search(rf'<code id="snippet-{kind}">(.*?)</code>', page, re.S)
    assert found, f"no {kind} snippet on the page"
    return unescape(found.group(1))


# Settings: draft, publish, discard


def test_the_settings_page_shows_the_live_website_and_a_draft_without_changes(owner, clinic):
    page = text(owner.get("/admin/website"))

    assert "Customers see the live version at" in page
    assert "http://localhost/north-clinic/" in page
    assert "The draft is the same as the live website." in page
    assert "Unpublished changes" not in page
    assert 'value="North Clinic"' in page
    assert clinic.app_id in page


def test_a_saved_draft_reaches_customers_only_when_it_is_published(
    app, owner, client, clinic, nocsrf
):
    saved = owner.post("/admin/website", data=_settings(display_name="North Smiles Dental"))

    assert saved.status_code == 303
    assert _version(app, clinic, "draft").display_name == "North Smiles Dental"
    assert "North Smiles Dental" not in text(client.get("/north-clinic/"))
    page = text(owner.get("/admin/website"))
    assert "Unpublished changes" in page
    assert "Changed in the draft: Name shown on the website." in page

    published = owner.post("/admin/website/publish", headers=htmx())

    assert published.status_code == 200
    assert "Published" in published.headers["HX-Trigger"]
    assert published.headers["HX-Location"] == "/admin/website"
    assert _version(app, clinic, "default").display_name == "North Smiles Dental"
    assert "North Smiles Dental" in text(client.get("/north-clinic/"))
    assert "The draft is the same as the live website." in text(owner.get("/admin/website"))


def test_a_browser_tab_icon_is_uploaded_published_and_removed(app, owner, client, clinic, nocsrf):
    from tests.admin.test_resources import PNG

    saved = owner.post(
        "/admin/website",
        data={**_settings(), "logo_fav_icon": (io.BytesIO(PNG), "icon.png")},
        content_type="multipart/form-data",
    )
    assert saved.status_code == 303
    icon = _version(app, clinic, "draft").logo_fav_icon
    assert icon["url"].startswith("/media/")
    owner.post("/admin/website/publish")

    assert f'<link rel="icon" href="{icon["url"]}">' in text(client.get("/north-clinic/"))
    served = client.get(icon["url"])
    assert served.mimetype == "image/png"
    served.close()

    owner.post("/admin/website", data={**_settings(), "remove_logo_fav_icon": "1"})
    assert _version(app, clinic, "draft").logo_fav_icon is None
    assert _version(app, clinic, "draft").logo is None  # the other image is left alone


def test_discarding_puts_the_draft_back_to_what_customers_see(app, owner, clinic, nocsrf):
    owner.post(
        "/admin/website", data=_settings(display_name="Half-finished idea", hold_minutes="25")
    )

    discarded = owner.post("/admin/website/discard", data={"back": "theme"})

    assert discarded.status_code == 303
    assert discarded.headers["Location"] == "/admin/website/theme"
    draft = _version(app, clinic, "draft")
    assert draft.display_name == "North Clinic"
    assert draft.hold_minutes == 10
    assert "Unpublished changes" not in text(owner.get("/admin/website"))


def test_every_setting_is_read_cleaned_and_kept_in_the_draft(app, admin, clinic, nocsrf):
    response = admin.post(
        "/admin/website",
        data=_settings(
            on=None,
            name="North Dental Care",
            timezone="Asia/Dubai",
            default_lang="ar",
            description="Family dentistry.",
            description_ar="طب أسنان العائلة.",
            terms="Come ten minutes early.",
            booking_success_message="See you soon!",
            booking_success_message_ar="نراك قريبًا!",
            display_name_ar="عيادة الشمال",
            booking_policy="specifyAndLeastFirst",
            select_type_first=None,
            select_resource_category="1",
            hide_resource="1",
            require_verification="1",
            hold_minutes="120",
            change_notice_hours="12",
            booking_time_policy="suggest",
            suggested_times="5",
            booking_time_splitting="fixed",
            fixed_times="14:00, 9:30 09:00,09:30",
            booking_time_splitting_optimize="1",
            booking_time_show_midnight=None,
            call_support="+966 11 000 0000",
            whatsapp="+966500000000",
            email_support="Care@North.Example",
            twitter="@northclinic",
            instagram="north.clinic",
            map_label="Olaya Street, Riyadh",
            map_lat="24.6937",
            map_lng="46,6853",
            maroof="123456",
            saudi_business_center="1010-99",
        ),
    )

    assert response.status_code == 303
    draft = _version(app, clinic, "draft")
    assert draft.on is False
    assert (draft.name, draft.timezone, draft.default_lang) == (
        "North Dental Care",
        "Asia/Dubai",
        "ar",
    )
    assert draft.translations == {
        "ar": {
            "displayName": "عيادة الشمال",
            "description": "طب أسنان العائلة.",
            "bookingSuccessMessage": "نراك قريبًا!",
        }
    }
    assert draft.booking_policy == "specifyAndLeastFirst"
    assert (draft.select_type_first, draft.select_resource_category) == (False, True)
    assert (draft.hide_resource, draft.require_verification) == (True, True)
    assert (draft.hold_minutes, draft.change_notice_hours) == (120, 12)
    assert (draft.booking_time_policy, draft.suggested_times) == ("suggest", 5)
    assert draft.booking_time_splitting == "fixed"
    assert draft.fixed_times == [540, 570, 840]
    assert draft.booking_time_splitting_optimize is True
    assert draft.booking_time_show_midnight is False
    assert draft.email_support == "care@north.example"
    assert (draft.twitter, draft.instagram, draft.facebook) == ("northclinic", "north.clinic", None)
    assert draft.map == {"label": "Olaya Street, Riyadh", "lat": 24.6937, "lng": 46.6853}
    assert (draft.maroof, draft.saudi_business_center) == ("123456", "1010-99")
    live = _version(app, clinic, "default")
    assert (live.name, live.on, live.fixed_times) == ("North Clinic", True, [])
    assert 'value="09:00, 09:30, 14:00"' in text(admin.get("/admin/website"))


def test_invalid_settings_come_back_marked_with_422_and_nothing_is_saved(
    app, owner, clinic, nocsrf
):
    response = owner.post(
        "/admin/website",
        data=_settings(
            display_name="Should not be kept",
            timezone="Mars/Olympus",
            hold_minutes="121",
            booking_policy="whoever",
            booking_time_splitting="fixed",
            fixed_times="9am",
            instagram="https://instagram.com/north",
            email_support="not-an-email",
            whatsapp="call me",
            map_url="javascript:alert(1)",
            map_lat="24.7",
        ),
        headers=htmx(),
    )

    page = text(response)
    assert response.status_code == 422
    assert "Please correct the marked fields." in page
    assert "Choose a time zone from the list" in page
    assert "Enter a number from 1 to 120." in page
    assert "Choose one of the offered values." in page
    assert "9am is not a time of day" in page
    assert page.count('aria-invalid="true"') >= 4
    assert _version(app, clinic, "draft").display_name == "North Clinic"
    assert 'value="Should not be kept"' in page  # what was typed stays in the form

    second = owner.post(
        "/admin/website",
        data=_settings(
            booking_time_splitting="fixed",
            instagram="https://instagram.com/north",
            email_support="not-an-email",
            whatsapp="call me",
            map_url="javascript:alert(1)",
            map_lat="24.7",
        ),
    )
    page = text(second)
    assert second.status_code == 422
    assert "write at least one, such as 09:00" in page
    assert "Enter the account name only" in page
    assert "Enter a valid email address." in page
    assert "Enter a phone number" in page
    assert "Enter a map link that starts with https://." in page
    assert "Give both the latitude and the longitude" in page
    assert _version(app, clinic, "draft").booking_time_splitting == "oclockAndHalf"


# The address


def test_the_address_moves_to_a_free_slug_at_once(app, owner, client, clinic, nocsrf):
    moved = owner.post("/admin/website/address", data={"slug": "North-Smiles"})

    assert moved.status_code == 303
    assert _website(app, clinic).slug == "north-smiles"
    assert client.get("/north-smiles/").status_code == 200
    assert client.get("/north-clinic/").status_code == 404


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("south-clinic", "is taken by another website"),
        ("admin", "is used by Mawid itself"),
        ("no spaces!", "Use lower-case letters, digits and dashes"),
        ("", "Use lower-case letters, digits and dashes"),
    ],
)
def test_an_address_that_is_taken_reserved_or_malformed_is_refused(
    app, owner, clinic, other_clinic, nocsrf, slug, message
):
    response = owner.post("/admin/website/address", data={"slug": slug})

    assert response.status_code == 422
    assert message in text(response)
    assert _website(app, clinic).slug == "north-clinic"


# Colours


def test_colours_are_saved_in_the_draft_and_published_with_it(app, owner, client, clinic, nocsrf):
    saved = owner.post(
        "/admin/website/theme",
        data={
            "theme_primaryColor": "#1D4ED8",
            "theme_textColor": "#111",
            "theme_backgroundColor": "",
        },
    )

    assert saved.status_code == 303
    assert _version(app, clinic, "draft").theme == {"primaryColor": "#1d4ed8", "textColor": "#111"}
    assert "#1d4ed8" not in text(client.get("/north-clinic/"))
    assert "Changed in the draft: Colours." in text(owner.get("/admin/website/theme"))

    owner.post("/admin/website/publish", data={"back": "theme"})

    assert "--brand: #1d4ed8" in text(client.get("/north-clinic/"))


def test_a_colour_that_is_not_a_hex_colour_is_refused(app, owner, clinic, nocsrf):
    response = owner.post(
        "/admin/website/theme",
        data={"theme_primaryColor": "red; } body { display: none", "theme_textColor": "#222222"},
    )

    assert response.status_code == 422
    assert "Enter a colour such as #0f6e6e." in text(response)
    assert _version(app, clinic, "draft").theme == {}


def test_the_preview_follows_the_colours_being_typed(owner, clinic):
    fragment = owner.get(
        "/admin/website/theme/preview?theme_primaryColor=%23123456&theme_textColor=nonsense",
        headers=htmx(target="theme-preview"),
    )
    page = owner.get("/admin/website/theme/preview?theme_primaryColor=%23123456")

    body = text(fragment)
    assert fragment.status_code == 200
    assert body.lstrip().startswith('<div id="theme-preview"')
    assert "--tp-brand: #123456" in body
    assert "--tp-ink: #17202e" in body  # not a colour: the website's own
    sample = urlsplit(unescape(re.search(r'href="(/embed/[^"]+)"', body).group(1)))
    assert sample.path == f"/embed/{clinic.app_id}/book"
    assert parse_qs(sample.query)["theme"] == ['{"primaryColor":"#123456"}']
    assert "<html" in text(page) and 'value="#123456"' in text(page)


# Allowed domains


def test_with_no_allowed_domain_the_page_says_nothing_can_embed_the_widget(owner, clinic):
    page = text(owner.get("/admin/website/domains"))

    assert "No site may embed your widget yet." in page
    assert "cannot be embedded on any other site" in page
    assert "Your own booking website keeps working" in page
    assert "http://localhost/north-clinic/" in page


def test_an_added_domain_may_frame_the_booking_widget_until_it_is_removed(
    app, owner, client, clinic, nocsrf
):
    frame = f"/embed/{clinic.app_id}/book"
    assert client.get(frame).headers["Content-Security-Policy"] == "frame-ancestors 'none'"

    added = owner.post(
        "/admin/website/domains", data={"origin": "HTTPS://Shop.Example.com:443/"}, headers=htmx()
    )
    owner.post("/admin/website/domains", data={"origin": "https://*.example.org"})

    assert added.status_code == 200
    assert "https://shop.example.com" in added.headers["HX-Trigger"]
    assert _website(app, clinic).allowed_domains == [
        "https://shop.example.com",
        "https://*.example.org",
    ]
    page = text(owner.get("/admin/website/domains"))
    assert "No site may embed your widget yet." not in page
    assert "Every subdomain of example.org" in page
    answer = client.get(frame)
    assert answer.status_code == 200
    assert (
        answer.headers["Content-Security-Policy"]
        == "frame-ancestors https://shop.example.com https://*.example.org"
    )

    removed = owner.post("/admin/website/domains/remove", data={"origin": "https://*.example.org"})
    owner.post("/admin/website/domains/remove", data={"origin": "https://shop.example.com"})

    assert removed.status_code == 303
    assert _website(app, clinic).allowed_domains == []
    assert client.get(frame).headers["Content-Security-Policy"] == "frame-ancestors 'none'"


@pytest.mark.parametrize(
    ("origin", "message"),
    [
        ("shop.example.com", "Enter the address of a site"),
        ("https://shop.example.com/booking", "Enter the address of a site"),
        ("https://shop.example.com; script-src *", "Enter the address of a site"),
        ("javascript:alert(1)", "Enter the address of a site"),
        ("https://*.com", "A wildcard covers the subdomains of one domain"),
        ("https://north.example", "is allowed already"),
    ],
)
def test_what_is_not_a_site_address_is_not_allowed(app, owner, clinic, nocsrf, origin, message):
    owner.post("/admin/website/domains", data={"origin": "https://north.example"})

    response = owner.post("/admin/website/domains", data={"origin": origin})

    assert response.status_code == 422
    assert message in text(response)
    assert _website(app, clinic).allowed_domains == ["https://north.example"]


# Embed snippets


def test_the_snippets_follow_the_widget_contract(owner, clinic):
    page = text(owner.get(f"/admin/website/embed?type={clinic.type_id}&widget_lang=ar"))

    assert _snippet(page, "popup") == (
        '<div class="scheduling-button"\n'
        f'     data-app-id="{clinic.app_id}"\n'
        f'     data-type="{clinic.type_id}"\n'
        '     data-lang="ar"></div>\n'
        '<script async src="http://localhost/scheduling-sdk.js" charset="utf-8"></script>'
    )
    assert _snippet(page, "native") == (
        '<div class="scheduling-native"\n'
        f'     data-app-id="{clinic.app_id}"\n'
        f'     data-type="{clinic.type_id}"\n'
        '     data-lang="ar"></div>\n'
        '<script async src="http://localhost/scheduling-sdk.js" charset="utf-8"></script>'
    )
    assert f"/embed/{clinic.app_id}/try?type={clinic.type_id}" in page
    assert "No site may embed your widget yet" in page


def test_a_choice_swaps_only_the_snippets_with_a_resource_and_button_text(owner, clinic):
    response = owner.get(
        "/admin/website/embed",
        query_string={
            "type": clinic.type_id,
            "resource": clinic.own_resource_id,
            "button_text": "احجز الآن",
        },
        headers=htmx(target="snippets"),
    )

    body = text(response)
    assert body.lstrip().startswith('<div id="snippets"')
    assert "<html" not in body
    popup, native = _snippet(body, "popup"), _snippet(body, "native")
    assert f'data-resource="{clinic.own_resource_id}"' in popup
    assert 'data-button-text="احجز الآن"' in popup
    assert "data-button-text" not in native and "data-lang" not in native


def test_a_blank_service_lets_the_customer_choose(owner, clinic):
    page = text(owner.get("/admin/website/embed?type=&widget_lang=en"))

    popup = _snippet(page, "popup")
    assert "data-type" not in popup and 'data-lang="en"' in popup
    assert f"/embed/{clinic.app_id}/try" in page


def test_button_text_cannot_break_out_of_its_attribute(owner, clinic):
    response = owner.get(
        "/admin/website/embed",
        query_string={"type": clinic.type_id, "button_text": '"><script>alert(1)</script>'},
    )

    page = text(response)
    assert "<script>alert(1)" not in page
    popup = _snippet(page, "popup")
    assert 'data-button-text="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"></div>' in popup
    assert "<script>alert" not in popup


def test_another_organizations_service_is_never_put_in_a_snippet(owner, clinic, other_clinic):
    response = owner.get(f"/admin/website/embed?type={other_clinic.type_id}")

    assert response.status_code == 422
    assert other_clinic.type_id not in _snippet(text(response), "popup")
    assert other_clinic.app_id not in text(response)


# Who may


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/admin/website"),
        ("post", "/admin/website"),
        ("post", "/admin/website/publish"),
        ("post", "/admin/website/discard"),
        ("post", "/admin/website/address"),
        ("get", "/admin/website/theme"),
        ("post", "/admin/website/theme"),
        ("get", "/admin/website/theme/preview"),
        ("get", "/admin/website/domains"),
        ("post", "/admin/website/domains"),
        ("post", "/admin/website/domains/remove"),
        ("get", "/admin/website/embed"),
    ],
)
def test_staff_may_not_see_or_change_the_website(app, staff, clinic, nocsrf, method, url):
    response = getattr(staff, method)(url, data={"slug": "x", "origin": "https://a.example"})

    assert response.status_code == 403
    assert _website(app, clinic).allowed_domains == []
    assert _website(app, clinic).slug == "north-clinic"


def test_each_organization_edits_only_its_own_website(app, owner, clinic, other_clinic, nocsrf):
    owner.post("/admin/website", data=_settings(display_name="North only"))
    owner.post("/admin/website/domains", data={"origin": "https://north.example"})
    owner.post("/admin/website/publish")

    page = text(owner.get("/admin/website"))
    assert other_clinic.app_id not in page and "south-clinic" not in page
    assert _version(app, other_clinic, "default").display_name == "South Clinic"
    assert _website(app, other_clinic).allowed_domains == []


def test_publishing_makes_a_draft_for_a_website_that_had_none(app, owner, clinic, nocsrf):
    with app.app_context():
        db.session.delete(
            db.session.scalar(
                db.select(WebsiteVersion).filter_by(website_id=clinic.website_id, version="draft")
            )
        )
        db.session.commit()

    assert owner.get("/admin/website").status_code == 200
    assert _version(app, clinic, "draft").display_name == "North Clinic"
