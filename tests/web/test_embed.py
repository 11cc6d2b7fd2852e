"""The booking flow inside the widget's iframe, as the browser in a host page meets it: framed
only by the website's allowed origins, with no cookie at all, in either language, and telling
the host page about a booking only once it is made."""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import urlencode

import pytest

from tests.web.conftest import Site, build_site, customer_form, path_of, starts, text
from webapp.models import BookingStatus, BookingType, Organization, Website

HOST = "https://shop.example.com"
_COMPLETE = re.compile(r"<script type=\"application/json\" data-booking-complete>(.*?)</script>")


@pytest.fixture
def framed(app) -> Site:
    """Shifa Clinic with forms protected by CSRF tokens (as in production) and one allowed
    host; its client keeps no cookies, like a frame whose third-party cookies are blocked."""
    site = build_site(app)
    site.client = app.test_client(use_cookies=False)
    allow(site, [HOST, "http://localhost:8080"])
    return site


def allow(site: Site, domains: list) -> None:
    site.update(Website, site.website_id, allowed_domains=domains)


def app_id(site: Site) -> str:
    with site.db() as session:
        return session.get(Website, site.website_id).app_id


def frame_url(site: Site, path: str = "/book", **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)
    return f"/embed/{app_id(site)}{path}" + (f"?{query}" if query else "")


def time_step(site: Site, **params):
    params.setdefault("origin", HOST)
    url = frame_url(
        site, type=site.types["consultation"], resource=site.resources["huda"], **params
    )
    return site.client.get(url)


def book_in_frame(site: Site, **params):
    """Hold the first time and send the details, all inside the frame; the last answer."""
    page = time_step(site, **params)
    assert page.status_code == 200, text(page)
    hold_action = unescape(re.search(r'<form method="post" action="([^"]+)"', text(page))[1])
    held = site.client.post(
        hold_action,
        data={
            "type": site.types["consultation"],
            "resource": site.resources["huda"],
            "start": starts(page)[0],
        },
    )
    assert held.status_code == 303, text(held)
    details = path_of(held.headers["Location"])
    assert details.startswith(f"/embed/{app_id(site)}/hold/")
    done = site.client.post(details, data=customer_form())
    assert done.status_code == 303, text(done)
    return site.client.get(path_of(done.headers["Location"]))


def completion(page) -> dict | None:
    found = _COMPLETE.search(text(page))
    return json.loads(found.group(1)) if found else None


def test_frames_may_be_framed_by_exactly_the_allowed_origins(framed):
    page = time_step(framed)
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert policy == "frame-ancestors https://shop.example.com http://localhost:8080"
    assert "X-Frame-Options" not in page.headers
    # The website itself and the rest of the app stay unframeable.
    for url in (framed.url("/book"), "/", f"/embed/{app_id(framed)}/try"):
        answer = framed.client.get(url)
        assert answer.headers["Content-Security-Policy"] == "frame-ancestors 'none'", url
        assert answer.headers["X-Frame-Options"] == "DENY"


def test_a_website_without_allowed_domains_refuses_every_frame(framed):
    allow(framed, [])
    page = time_step(framed)
    assert page.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert page.headers["X-Frame-Options"] == "DENY"


def test_entries_that_are_not_origins_never_reach_the_header(framed):
    allow(
        framed,
        [
            "https://shop.example.com; script-src *",
            "javascript:alert(1)",
            "https://*.example.org",
            "HTTPS://Shop.Example.com:443/",
            42,
        ],
    )
    policy = time_step(framed).headers["Content-Security-Policy"]
    assert policy == "frame-ancestors https://*.example.org https://shop.example.com"


def test_the_host_origin_is_only_trusted_when_it_is_allowed(framed):
    page = time_step(framed, origin="https://evil.example.net")
    assert 'data-host-origin=""' in text(page)
    page = time_step(framed, origin=HOST)
    assert f'data-host-origin="{HOST}"' in text(page)


def test_a_wildcard_allows_subdomains_as_host_origins(framed):
    allow(framed, ["https://*.example.com"])
    assert 'data-host-origin="https://book.example.com"' in text(
        time_step(framed, origin="https://book.example.com")
    )
    assert 'data-host-origin=""' in text(time_step(framed, origin="https://example.com"))


def test_the_whole_flow_works_without_cookies_or_tokens_and_sets_none(framed):
    page = book_in_frame(framed, mode="popup", tz="Europe/London")
    assert page.status_code == 200
    assert "You're booked!" in text(page)
    assert 'data-mode="popup"' in text(page)
    # Every page kept the frame's parameters, so the host origin is still known here.
    assert f'data-host-origin="{HOST}"' in text(page)
    assert "tz=Europe/London" in text(page)
    [booking] = [b for b in framed.bookings() if b.status == BookingStatus.CONFIRMED]
    assert booking.source == "website"


def test_no_answer_in_the_frame_sets_a_cookie(framed):
    page = time_step(framed, lang="ar", tz="Europe/London")
    assert page.headers.getlist("Set-Cookie") == []
    assert 'name="csrf_token" value=""' in text(page) or "csrf_token" not in text(page)


def test_the_public_website_still_demands_its_form_token(framed):
    page = framed.client.get(
        framed.url("/book", type=framed.types["consultation"], resource=framed.resources["huda"])
    )
    refused = framed.client.post(
        framed.url("/book/hold"),
        data={"type": framed.types["consultation"], "start": starts(page)[0]},
    )
    assert refused.status_code == 400
    assert "CSRF" in text(refused)


def test_a_new_booking_is_announced_to_the_host_page(framed):
    page = book_in_frame(framed)
    made = completion(page)
    booking = framed.bookings()[0]
    assert made["bookingId"] == booking.id
    assert made["status"] == "CONFIRMED"
    assert made["bookingTypeId"] == framed.types["consultation"]
    assert made["resourceName"] == "Dr Huda"
    assert made["timeZone"] == "Asia/Riyadh"
    assert made["startDateTime"].endswith("+03:00")
    # Opening the booking later says nothing new.
    again = framed.client.get(path_of(page.request.url).replace("new=1", ""))
    assert completion(again) is None


def test_a_booking_waiting_for_payment_is_not_announced(framed):
    framed.update(Organization, framed.organization_id, online_payments_enabled=True)
    framed.update(BookingType, framed.types["consultation"], payment_methods=["creditCard"])
    page = book_in_frame(framed)
    assert framed.bookings()[0].status == BookingStatus.PENDING_PAYMENT
    assert completion(page) is None


def test_a_request_waiting_for_approval_is_announced_as_such(framed):
    framed.update(BookingType, framed.types["consultation"], auto_confirm=False)
    made = completion(book_in_frame(framed))
    assert made["status"] == "PENDING_APPROVAL"


def test_arabic_frames_read_right_to_left(framed):
    page = time_step(framed, lang="ar")
    assert '<html lang="ar" dir="rtl" class="frame frame-native">' in text(page)
    assert "lang=ar" in text(page)


def test_theme_overrides_take_colours_only(framed):
    theme = json.dumps({"primaryColor": "#aa0000", "textColor": "red;}body{display:none"})
    page = time_step(framed, theme=theme)
    assert "--brand: #aa0000;" in text(page)
    assert "red;}body" not in text(page)


def test_customer_account_pages_stay_on_the_website(framed):
    assert framed.client.get(frame_url(framed, "/account/")).status_code == 404


def test_a_hold_of_another_website_is_refused(framed, app):
    other = build_site(app, name="Noor Dental")
    allow(other, [HOST])
    page = time_step(framed)
    held = framed.client.post(
        frame_url(framed, "/book/hold", origin=HOST),
        data={
            "type": framed.types["consultation"],
            "resource": framed.resources["huda"],
            "start": starts(page)[0],
        },
    )
    token_path = path_of(held.headers["Location"]).split("?")[0].split("/hold/")[1]
    foreign = framed.client.get(frame_url(other, f"/hold/{token_path}", origin=HOST))
    assert foreign.status_code == 404


def test_unknown_app_ids_are_not_found(framed):
    answer = framed.client.get("/embed/no-such-app/book")
    assert answer.status_code == 404
    assert answer.headers["Content-Security-Policy"] == "frame-ancestors 'none'"


def test_errors_inside_the_frame_stay_frameable_and_without_chrome(framed):
    answer = framed.client.get(frame_url(framed, type="nope", origin=HOST))
    assert answer.status_code == 404
    assert answer.headers["Content-Security-Policy"].startswith("frame-ancestors https://")
    assert 'class="frame frame-native"' in text(answer)
    assert "<header" not in text(answer)


def test_the_open_link_leads_to_the_website_itself(framed):
    answer = framed.client.get(
        frame_url(framed, "/open", type=framed.types["consultation"], lang="ar", origin=HOST)
    )
    assert answer.status_code == 303
    location = answer.headers["Location"]
    assert location.startswith(f"/{framed.slug}/book?")
    assert f"type={framed.types['consultation']}" in location and "lang=ar" in location
    assert "origin" not in location


def test_the_try_page_shows_the_snippets_as_text_and_the_widgets_once(framed):
    allow(framed, [])
    page = text(framed.client.get(f"/embed/{app_id(framed)}/try"))
    assert page.count('<div class="scheduling-button"') == 1
    assert page.count('<div class="scheduling-native"') == 1
    assert "&lt;div\n  class=&#34;scheduling-button&#34;" in page
    assert "allows no domain to embed its widget" in page
