"""A booking's private page: the summary, calendar links, canceling and rescheduling within
the business's notice, and links that were tampered with."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.web.conftest import starts, step_title, text

SUNDAY_9 = "2026-11-22T09:00:00+03:00"
SUNDAY_10 = "2026-11-22T10:00:00+03:00"


@pytest.fixture
def manage(site) -> str:
    """The manage address of Sara's consultation with Dr Huda, Sunday 09:00."""
    page = site.book()
    return urlsplit(page.request.url).path


def test_manage_page_summarises_the_booking(site, manage):
    page = site.client.get(manage)
    html = text(page)

    assert page.status_code == 200
    assert step_title(page) == "Your booking"
    assert '<p class="status status-confirmed">Confirmed' in html
    assert "<dd>Consultation</dd>" in html
    assert "<dd>Dr Huda</dd>" in html
    assert '<time datetime="2026-11-22T06:00:00+00:00">Sunday, November 22, 2026' in html
    assert "<dd>30 minutes</dd>" in html
    assert "<dd>SAR150.00</dd>" in html
    assert "Reschedule</a>" in html
    assert "Cancel booking</button>" in html


def test_calendar_file_holds_the_event(site, manage):
    reply = site.client.get(manage + "/booking.ics")
    body = reply.get_data(as_text=True)

    assert reply.status_code == 200
    assert reply.mimetype == "text/calendar"
    assert 'filename="booking.ics"' in reply.headers["Content-Disposition"]
    assert "BEGIN:VCALENDAR" in body
    assert "BEGIN:VEVENT" in body
    assert "DTSTART:20261122T060000Z" in body
    assert "DTEND:20261122T063000Z" in body
    assert "Consultation · Shifa Clinic" in body
    assert "STATUS:CONFIRMED" in body


def test_google_calendar_link_opens_the_event(site, manage):
    html = text(site.client.get(manage))
    start = html.index("https://calendar.google.com/calendar/")
    link = unquote(html[start : html.index('"', start)].replace("&amp;", "&"))
    params = parse_qs(urlsplit(link).query)

    assert params["action"] == ["TEMPLATE"]
    assert params["text"] == ["Consultation"]
    assert params["dates"] == ["20261122T060000Z/20261122T063000Z"]
    assert manage in params["details"][0]


# -- canceling --------------------------------------------------------------------------------


def test_cancel_with_a_reason(site, manage):
    reply = site.client.post(manage + "/cancel", data={"reason": "Feeling better"})
    page = site.client.get(manage)
    booking = site.booking_from(manage)

    assert reply.status_code == 303
    assert booking.status == "CANCELED"
    assert booking.canceled_by == "customer"
    assert booking.cancel_reason == "Feeling better"
    assert '<p class="status status-canceled">Canceled' in text(page)
    assert "Cancel booking</button>" not in text(page)
    assert "Reschedule</a>" not in text(page)
    assert site.subjects_to("sara@example.com")[-1] == "Booking canceled: Consultation"
    assert SUNDAY_9 in starts(site.time_step()), "the time is free again"


def test_cancel_without_a_reason(site, manage):
    site.client.post(manage + "/cancel", data={})

    booking = site.booking_from(manage)
    assert booking.status == "CANCELED"
    assert booking.cancel_reason is None


def test_overlong_reason_is_refused(site, manage):
    page = site.client.post(manage + "/cancel", data={"reason": "x" * 501})

    assert page.status_code == 422
    assert "Please keep the reason under 500 characters." in text(page)
    assert site.booking_from(manage).status == "CONFIRMED"


def test_canceling_twice_is_refused(site, manage):
    site.client.post(manage + "/cancel", data={})

    again = site.client.post(manage + "/cancel", data={})

    assert again.status_code == 422
    assert "can no longer be changed online" in text(again)


# -- rescheduling -----------------------------------------------------------------------------


def test_reschedule_offers_the_current_time_as_free(site, manage):
    page = site.client.get(manage + "/reschedule")

    assert page.status_code == 200
    assert step_title(page) == "Choose a new time"
    assert SUNDAY_9 in starts(page), "the booking's own time is not busy for itself"
    assert SUNDAY_9 not in starts(site.time_step()), "but it is for everyone else"


def test_reschedule_moves_the_booking(site, manage):
    moved = site.client.post(manage + "/reschedule", data={"start": SUNDAY_10})
    new_manage = urlsplit(moved.headers["Location"]).path
    old, new = site.booking_from(manage), site.booking_from(new_manage)
    page = site.client.get(moved.headers["Location"])

    assert moved.status_code == 303
    assert "rescheduled=1" in moved.headers["Location"]
    assert new_manage != manage
    assert old.status == "CANCELED"
    assert new.status == "CONFIRMED"
    assert new.rescheduled_from_id == old.id
    assert new.start_at.isoformat() == "2026-11-22T07:00:00+00:00"
    assert new.customer_id == old.customer_id
    assert "Your booking has been moved" in text(page)
    assert site.subjects_to("sara@example.com")[-1] == "Booking moved: Consultation"


def test_old_manage_page_points_to_the_new_booking(site, manage):
    moved = site.client.post(manage + "/reschedule", data={"start": SUNDAY_10})

    html = text(site.client.get(manage))

    assert "Moved to a new time" in html
    assert f'href="{urlsplit(moved.headers["Location"]).path}"' in html


def test_reschedule_to_a_taken_time_offers_others(site, manage):
    site.book_directly("huda", "2026-11-22 10:00")

    page = site.client.post(manage + "/reschedule", data={"start": SUNDAY_10})

    assert page.status_code == 409
    assert "Sorry, someone has just booked that time." in text(page)
    assert starts(page)
    assert SUNDAY_10 not in starts(page)
    assert site.booking_from(manage).status == "CONFIRMED"


@pytest.mark.parametrize("start", ["", "soon", "2026-11-22T10:00:00", "9999-12-31T10:00:00+03:00"])
def test_reschedule_to_a_bad_time_is_refused(site, manage, start):
    page = site.client.post(manage + "/reschedule", data={"start": start})

    assert page.status_code == 422
    assert "Choose a time from the list." in text(page)
    assert site.booking_from(manage).status == "CONFIRMED"


def test_reschedule_times_fragment_offers_the_own_time(site, manage):
    reply = site.client.get(
        manage + "/reschedule/times?date=2026-11-22", headers={"HX-Request": "true"}
    )

    assert text(reply).lstrip().startswith('<div id="times"')
    assert SUNDAY_9 in starts(reply)


# -- the business's notice --------------------------------------------------------------------


@pytest.fixture
def notice(site, manage):
    """Changes only up to 24 hours before; the booking starts in exactly 24 hours."""
    site.configure(change_notice_hours=24)
    return manage


def test_manage_page_within_the_notice_offers_no_changes(site, notice):
    html = text(site.client.get(notice))

    assert "Cancel booking</button>" not in html
    assert "Reschedule</a>" not in html


def test_cancel_within_the_notice_is_refused(site, notice):
    page = site.client.post(notice + "/cancel", data={"reason": "late"})

    assert page.status_code == 422
    assert "changes are possible until 24 hours before it starts" in text(page)
    assert site.booking_from(notice).status == "CONFIRMED"


@pytest.mark.parametrize("method", ["get", "post"])
def test_reschedule_within_the_notice_is_refused(site, notice, method):
    page = getattr(site.client, method)(notice + "/reschedule", data={"start": SUNDAY_10})

    assert page.status_code == 422
    assert "changes are possible until 24 hours before it starts" in text(page)
    assert site.booking_from(notice).status == "CONFIRMED"


def test_changes_are_allowed_before_the_notice(site, manage):
    site.configure(change_notice_hours=12)

    html = text(site.client.get(manage))
    cancel = site.client.post(manage + "/cancel", data={})

    assert "Changes are possible online until Saturday, November 21, 2026" in html
    assert cancel.status_code == 303
    assert site.booking_from(manage).status == "CANCELED"


# -- links that are not genuine ---------------------------------------------------------------


def tampered(manage: str) -> str:
    """The link with one character of its signature changed."""
    payload, signature = manage.rsplit(".", 1)
    first = "A" if signature[0] != "A" else "B"
    return f"{payload}.{first}{signature[1:]}"


@pytest.mark.parametrize("suffix", ["", "/booking.ics", "/reschedule"])
def test_tampered_link_is_not_found(site, manage, suffix):
    assert site.client.get(tampered(manage) + suffix).status_code == 404


def test_tampered_link_cannot_cancel(site, manage):
    reply = site.client.post(tampered(manage) + "/cancel", data={})

    assert reply.status_code == 404
    assert site.booking_from(manage).status == "CONFIRMED"


def test_hold_link_is_not_a_manage_link(site):
    held = site.hold_first()
    token = urlsplit(held.headers["Location"]).path.split("/")[3]

    assert site.client.get(site.url(f"/bookings/{token}")).status_code == 404
