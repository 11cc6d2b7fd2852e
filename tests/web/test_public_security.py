"""What keeps the booking website safe and fair: form tokens, framing, escaping of tenant and
customer text, one website never reaching another's rows, rate limits, and language."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.web.conftest import csrf_token, customer_form, path_of, starts, step_title, text
from webapp.models import BookingType, Organization, Resource

SUNDAY_9 = "2026-11-22T09:00:00+03:00"


# -- form tokens ------------------------------------------------------------------------------


@pytest.fixture
def guarded(site):
    """The website with form tokens checked, as in production."""
    site.app.config["WTF_CSRF_ENABLED"] = True
    return site


def hold_form(site) -> dict:
    return {
        "type": site.types["consultation"],
        "resource": site.resources["huda"],
        "start": SUNDAY_9,
    }


def test_hold_without_a_form_token_is_refused(guarded):
    reply = guarded.client.post(guarded.url("/book/hold"), data=hold_form(guarded))

    assert reply.status_code == 400
    assert "CSRF_FAILED" in text(reply)
    assert guarded.bookings() == []


def test_hold_with_the_pages_form_token_is_accepted(guarded):
    token = csrf_token(guarded.time_step())

    reply = guarded.client.post(
        guarded.url("/book/hold"), data=hold_form(guarded) | {"csrf_token": token}
    )

    assert reply.status_code == 303
    assert len(guarded.bookings()) == 1


def test_htmx_sends_the_token_in_a_header(guarded):
    page = text(guarded.time_step())
    token = page.split('"X-CSRFToken": "')[1].split('"')[0]

    reply = guarded.client.post(
        guarded.url("/book/hold"),
        data=hold_form(guarded),
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )

    assert reply.status_code == 200
    assert "HX-Location" in reply.headers


def test_details_cancel_and_sign_in_need_the_token(guarded):
    token = csrf_token(guarded.time_step())
    held = guarded.client.post(
        guarded.url("/book/hold"), data=hold_form(guarded) | {"csrf_token": token}
    )
    details = path_of(held.headers["Location"])
    token = csrf_token(guarded.client.get(details))
    refused = guarded.client.post(details, data=customer_form())
    done = guarded.client.post(details, data=customer_form(csrf_token=token))
    manage = urlsplit(done.headers["Location"]).path

    canceled = guarded.client.post(manage + "/cancel", data={"reason": "no token"})
    sign_in = guarded.client.post(guarded.url("/account/sign-in"), data={"identifier": "a@b.co"})

    assert refused.status_code == 400
    assert done.status_code == 303
    assert canceled.status_code == 400
    assert guarded.booking_from(manage).status == "CONFIRMED"
    assert sign_in.status_code == 400
    assert guarded.booking_from(manage).status == "CONFIRMED"
    assert "Booking confirmed: Consultation" in [m["subject"] for m in guarded.messages]
    assert not [m for m in guarded.messages if "canceled" in m["subject"]]


# -- framing ----------------------------------------------------------------------------------


def test_public_pages_refuse_to_be_framed(site):
    held = site.hold_first()
    details = path_of(held.headers["Location"])
    pages = [
        site.client.get(site.url("/")),
        site.time_step(),
        site.client.get(details),
        site.client.get(site.url("/account/")),
        site.client.get(site.url("/book", type="unknown")),
    ]
    manage = site.client.post(details, data=customer_form()).headers["Location"]
    pages.append(site.client.get(path_of(manage)))

    for page in pages:
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        assert page.headers["X-Frame-Options"] == "DENY"


# -- escaping ---------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


def test_business_texts_are_escaped(site):
    site.configure(description=f"Best {SCRIPT} clinic", display_name=f"Shifa {SCRIPT}")
    site.update(BookingType, site.types["consultation"], name=f"Consult {SCRIPT}")
    site.update(Resource, site.resources["huda"], name=f"Dr {SCRIPT}")

    pages = [
        text(site.client.get(site.url("/"))),
        text(site.client.get(site.url("/book", type=site.types["consultation"]))),
        text(site.time_step()),
    ]

    pages.append(text(site.book()))
    pages.extend(m["html"] for m in site.messages if m["kind"] == "email")

    for html in pages:
        assert SCRIPT not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_customer_name_is_escaped(site):
    site.book(c_firstName=SCRIPT)
    site.sign_in()

    html = text(site.client.get(site.url("/account/")))

    assert "Hello &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert SCRIPT not in html


def test_typed_details_are_escaped_when_shown_again(site):
    details = path_of(site.hold_first().headers["Location"])

    page = site.client.post(details, data=customer_form(c_firstName=f'"><{SCRIPT}', c_email="x"))

    assert page.status_code == 422
    assert SCRIPT not in text(page)
    assert "&lt;script&gt;" in text(page)


# -- one website never reaches another's rows -------------------------------------------------


@pytest.mark.parametrize("kind", ["type", "resource", "category"])
def test_another_businesss_ids_are_not_found(site, other_site, kind):
    foreign = {
        "type": other_site.types["consultation"],
        "resource": other_site.resources["huda"],
        "category": other_site.categories["north"],
    }[kind]
    choice = {"type": site.types["consultation"], kind: foreign}

    page = site.client.get(site.url("/book", **choice))
    times = site.client.get(
        site.url("/book/times", date="2026-11-23", **choice), headers={"HX-Request": "true"}
    )

    assert page.status_code == 404
    assert times.status_code == 404


def test_another_businesss_service_cannot_be_held(site, other_site):
    reply = site.client.post(
        site.url("/book/hold"), data={"type": other_site.types["consultation"], "start": SUNDAY_9}
    )

    assert reply.status_code == 404
    assert site.bookings() == []
    assert other_site.bookings() == []


def test_another_businesss_doctor_cannot_be_held(site, other_site):
    reply = site.hold(SUNDAY_9, doctor=other_site.resources["huda"])

    assert reply.status_code == 404
    assert other_site.bookings() == []


def test_another_websites_hold_link_is_not_found(site, other_site):
    details = path_of(other_site.hold_first().headers["Location"])
    token = details.split("/hold/")[1]

    assert site.client.get(site.url(f"/hold/{token}")).status_code == 404
    assert site.client.post(site.url(f"/hold/{token}"), data=customer_form()).status_code == 404
    assert site.client.post(site.url(f"/hold/{token}/release")).status_code == 404
    assert other_site.booking_from(details).status == "TEMPORARY"


def test_another_websites_manage_link_is_not_found(site, other_site):
    manage = urlsplit(other_site.book().request.url).path
    token = manage.split("/bookings/")[1]

    for suffix in ("", "/booking.ics", "/reschedule"):
        assert site.client.get(site.url(f"/bookings/{token}{suffix}")).status_code == 404
    assert site.client.post(site.url(f"/bookings/{token}/cancel")).status_code == 404
    assert other_site.booking_from(manage).status == "CONFIRMED"


def test_signing_in_on_one_website_does_not_sign_in_on_another(site, other_site):
    asked = site.client.post(site.url("/account/sign-in"), data={"identifier": "sara@example.com"})
    challenge = asked.headers["Location"].split("challenge=")[1]
    code = site.last_code()

    reused = site.client.post(
        other_site.url("/account/verify"), data={"challenge": challenge, "code": code}
    )
    site.client.post(site.url("/account/verify"), data={"challenge": challenge, "code": code})
    mine = site.client.get(site.url("/account/"))
    theirs = site.client.get(other_site.url("/account/"))

    assert reused.status_code == 422, "a code works only on the website that sent it"
    assert "Hello" in text(mine)
    assert step_title(theirs) == "Sign in to see your bookings"


@pytest.mark.parametrize("path", ["/", "/book", "/account/"])
def test_unknown_website_is_not_found(site, path):
    assert site.client.get(f"/no-such-clinic{path}").status_code == 404


def test_switched_off_website_is_not_found(site):
    manage = urlsplit(site.book().request.url).path
    site.configure(on=False)

    assert site.client.get(site.url("/")).status_code == 404
    assert site.time_step().status_code == 404
    assert site.client.get(manage).status_code == 404
    assert site.hold(SUNDAY_9).status_code == 404


def test_deleted_business_is_not_found(site):
    site.update(Organization, site.organization_id, is_deleted=True)

    assert site.client.get(site.url("/")).status_code == 404


# -- rate limits ------------------------------------------------------------------------------


def test_eleventh_hold_within_a_minute_is_rate_limited(site):
    offered = starts(site.time_step())
    for start in offered[:10]:
        assert site.hold(start).status_code == 303

    reply = site.hold(offered[10])

    assert reply.status_code == 429
    assert "RATE_LIMITED" in text(reply)
    assert int(reply.headers["Retry-After"]) > 0
    assert len(site.bookings()) == 10


def test_rate_limit_counts_each_client_address_apart(site):
    site.app.config["BOOKING_RATE_LIMIT"] = "2/minute"
    offered = starts(site.time_step())
    for start in offered[:2]:
        assert site.hold(start).status_code == 303

    elsewhere = site.client.post(
        site.url("/book/hold"),
        data={"type": site.types["consultation"], "start": offered[2]},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )

    assert site.hold(offered[3]).status_code == 429
    assert elsewhere.status_code == 303


# -- language ---------------------------------------------------------------------------------


def test_arabic_pages_are_right_to_left(site):
    html = text(site.client.get(site.url("/", lang="ar")))

    assert '<html lang="ar" dir="rtl">' in html
    assert "استشارة" in html
    assert ">Consultation<" not in html


def test_english_pages_are_left_to_right(site):
    html = text(site.client.get(site.url("/", lang="en")))

    assert '<html lang="en" dir="ltr">' in html
    assert "Consultation</a>" in html


def test_arabic_is_remembered_on_the_next_page(site):
    site.client.get(site.url("/", lang="ar"))

    html = text(site.client.get(site.url("/book", type=site.types["consultation"])))

    assert '<html lang="ar" dir="rtl">' in html
    assert ">English</a>" in html


def test_arabic_texts_of_the_business_are_used(site):
    site.configure(translations={"ar": {"description": "أطباء الأسرة في قلب الرياض."}})
    site.update(Resource, site.resources["huda"], name_translations={"ar": "د. هدى"})

    home = text(site.client.get(site.url("/", lang="ar")))
    doctors = text(site.client.get(site.url("/book", type=site.types["consultation"], lang="ar")))

    assert "أطباء الأسرة في قلب الرياض." in home
    assert "Family doctors" not in home
    assert "د. هدى" in doctors


def test_arabic_times_use_arabic_digits(site):
    page = site.time_step(lang="ar")

    assert '<html lang="ar" dir="rtl">' in text(page)
    assert "٢٢" in text(page)
    assert starts(page)[0] == SUNDAY_9, "the posted value stays machine readable"
