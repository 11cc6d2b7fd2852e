"""Bookings in the admin: the filtered list, the detail, actions, and booking for a customer."""

from __future__ import annotations

import re

import pytest

from tests.admin.conftest import htmx, text
from tests.conftest import NOW
from tests.factories import at, create_booking, make_customer
from webapp.booking import lifecycle
from webapp.booking.states import Actor
from webapp.extensions import db
from webapp.models import Booking, BookingType, Organization


@pytest.fixture
def book(app, clinic):
    """Book the clinic's checkup: book("2026-11-22 09:00", resource="own", **overrides)."""

    def _book(when, resource="own", customer=None, now=NOW, **overrides):
        with app.app_context():
            organization = db.session.get(Organization, clinic.organization_id)
            booking_type = db.session.get(BookingType, clinic.type_id)
            if customer is None:
                customer = make_customer(db.session, organization)
            elif isinstance(customer, dict):
                customer = make_customer(db.session, organization, **customer)
            resource_id = clinic.own_resource_id if resource == "own" else clinic.other_resource_id
            booking = create_booking(
                db.session,
                organization,
                booking_type,
                start=at(when),
                now=now,
                resource_id=resource_id,
                customer=customer,
                **overrides,
            )
            db.session.commit()
            return booking.id

    return _book


def _status(app, booking_id):
    with app.app_context():
        return db.session.get(Booking, booking_id).status


def test_the_list_starts_today_and_filters_by_customer_resource_and_status(owner, book):
    book("2026-11-22 09:00", customer={"first_name": "Maha", "email": "maha@example.com"})
    book("2026-11-22 10:00", resource="other", customer={"first_name": "Fahad"})
    book("2026-11-23 09:00", customer={"first_name": "Noor", "phone": "+966501112233"})

    everything = text(owner.get("/admin/bookings"))
    assert all(name in everything for name in ("Maha", "Fahad", "Noor"))

    by_phone = text(owner.get("/admin/bookings?q=1112233", headers=htmx(target="booking-results")))
    assert "Noor" in by_phone and "Maha" not in by_phone
    assert "<html" not in by_phone  # only the results

    one_day = text(owner.get("/admin/bookings?from=2026-11-23&to=2026-11-23"))
    assert "Noor" in one_day and "Maha" not in one_day


def test_staff_see_only_bookings_of_their_own_resource(staff, book):
    own = book("2026-11-22 09:00", customer={"first_name": "Maha"})
    other = book("2026-11-22 09:00", resource="other", customer={"first_name": "Fahad"})

    page = text(staff.get("/admin/bookings"))
    assert "Maha" in page and "Fahad" not in page
    assert staff.get(f"/admin/bookings/{own}").status_code == 200
    assert staff.get(f"/admin/bookings/{other}").status_code == 404


def test_keyset_pages_walk_every_booking_once(app, owner, clinic, book):
    times = [f"{h:02d}:{m:02d}" for h in (9, 10, 11, 12, 14, 15, 16) for m in (0, 30)]
    ids = {book(f"2026-11-{22 + i // len(times)} {times[i % len(times)]}") for i in range(60)}

    seen, url = [], "/admin/bookings"
    while url:
        page = text(owner.get(url, headers=htmx(target="more-row") if "after" in url else {}))
        seen += re.findall(r'href="/admin/bookings/([A-Za-z0-9]{20})"', page)
        found = re.search(r'href="(/admin/bookings\?after=[^"]+)"', page)
        url = found.group(1).replace("&amp;", "&") if found else None

    assert len(seen) == len(set(seen)) == 60
    assert set(seen) == ids


def test_a_forged_page_token_is_refused(owner, book):
    assert owner.get("/admin/bookings?after=forged").status_code == 400


def test_the_detail_shows_customer_answers_history_and_actions(owner, book):
    booking_id = book(
        "2026-11-22 09:00", customer={"first_name": "Maha"}, info={"reason": "Back pain"}
    )

    panel = text(owner.get(f"/admin/bookings/{booking_id}", headers=htmx(target="panel-slot")))
    assert panel.lstrip().startswith("<aside")
    assert "Maha" in panel and "Back pain" in panel
    assert "Cancel the booking" in panel and "Reschedule" in panel
    page = text(owner.get(f"/admin/bookings/{booking_id}"))
    assert "<html" in page and "Maha" in page


@pytest.fixture
def pending(app, clinic):
    """A customer's request for the staff member's resource, waiting for approval."""
    with app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        booking_type = db.session.get(BookingType, clinic.type_id)
        booking_type.auto_confirm = False
        customer = make_customer(db.session, organization, first_name="Reem")
        booking = lifecycle.create_booking(
            db.session,
            organization,
            booking_type_id=booking_type.id,
            start=at("2026-11-22 11:00"),
            actor=Actor("customer"),
            now=NOW,
            customer=customer,
            resource_id=clinic.own_resource_id,
        )
        db.session.commit()
        assert booking.status == "PENDING_APPROVAL"
        return booking.id


def test_staff_approve_a_pending_booking_and_the_page_hears_about_it(app, staff, pending, nocsrf):
    response = staff.post(
        f"/admin/bookings/{pending}/approve", data={"view": "panel"}, headers=htmx()
    )

    assert response.status_code == 200
    assert "bookingsChanged" in response.headers["HX-Trigger"]
    assert "The booking is approved." in response.headers["HX-Trigger"]
    assert _status(app, pending) == "CONFIRMED"
    assert text(response).lstrip().startswith("<aside")


def test_a_rejection_keeps_its_reason(app, owner, pending, nocsrf):
    owner.post(f"/admin/bookings/{pending}/reject", data={"reason": "Fully booked"})

    with app.app_context():
        booking = db.session.get(Booking, pending)
        assert booking.status == "REJECTED"
        assert booking.cancel_reason == "Fully booked"


def test_the_dashboard_lists_what_waits_for_approval(staff, pending):
    page = text(staff.get("/admin/"))

    assert "Waiting for your approval" in page
    assert "Reem" in page


def test_cancel_with_a_reason_is_recorded_in_the_history(app, owner, book, nocsrf):
    booking_id = book("2026-11-22 09:00")

    response = owner.post(f"/admin/bookings/{booking_id}/cancel", data={"reason": "Doctor is ill"})

    assert response.status_code == 303
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking.status == "CANCELED"
        assert booking.canceled_by == "provider"
        assert booking.history[-1].reason == "Doctor is ill"


def test_an_action_the_status_does_not_allow_is_refused_and_changes_nothing(
    app, owner, book, nocsrf
):
    booking_id = book("2026-11-22 09:00")

    response = owner.post(f"/admin/bookings/{booking_id}/approve", headers=htmx())

    assert response.status_code == 409
    assert "cannot do that" in response.headers["HX-Trigger"]
    assert _status(app, booking_id) == "CONFIRMED"


def test_completing_waits_until_the_booking_has_started(app, owner, book, nocsrf):
    future = book("2026-11-22 09:00")
    started = book("2026-11-19 09:00", now=at("2026-11-18 12:00"))  # two days ago

    assert owner.post(f"/admin/bookings/{future}/complete", headers=htmx()).status_code == 409
    assert owner.post(f"/admin/bookings/{started}/complete", headers=htmx()).status_code == 200
    assert _status(app, started) == "COMPLETED"


def test_another_tenants_booking_answers_like_an_unknown_one(owner, app, other_clinic, nocsrf):
    with app.app_context():
        organization = db.session.get(Organization, other_clinic.organization_id)
        booking_type = db.session.get(BookingType, other_clinic.type_id)
        foreign = create_booking(
            db.session,
            organization,
            booking_type,
            start=at("2026-11-22 09:00"),
            now=NOW,
            resource_id=other_clinic.own_resource_id,
        ).id
        db.session.commit()

    for response in (
        owner.get(f"/admin/bookings/{foreign}"),
        owner.post(f"/admin/bookings/{foreign}/cancel"),
        owner.get(f"/admin/bookings/{foreign}/reschedule"),
        owner.get("/admin/bookings/unknown"),
    ):
        assert response.status_code == 404
    assert foreign not in text(owner.get("/admin/bookings"))
    assert _status(app, foreign) == "CONFIRMED"


def test_staff_book_for_a_customer_choosing_service_resource_day_and_time(
    app, staff, clinic, nocsrf
):
    form = staff.get(
        f"/admin/bookings/new?type_id={clinic.type_id}&day=2026-11-22",
        headers=htmx(target="booking-form"),
    )
    starts = re.findall(r'name="start" value="([^"]+)"', text(form))
    assert starts[0] == "2026-11-22T09:00:00+03:00"
    assert "Dr Omar" not in text(form)  # a staff member books their own resource

    response = staff.post(
        "/admin/bookings/new",
        data={
            "type_id": clinic.type_id,
            "day": "2026-11-22",
            "start": "2026-11-22T09:15:00+03:00",
            "first_name": "Walk",
            "last_name": "In",
            "phone": "+966 50 123 4567",
        },
    )

    assert response.status_code == 303
    with app.app_context():
        booking = db.session.scalars(db.select(Booking)).one()
        assert booking.status == "CONFIRMED"
        assert booking.resource_id == clinic.own_resource_id
        assert booking.customer.phone == "+966501234567"
        assert booking.source == "admin"


def test_a_taken_time_or_bad_input_comes_back_marked(app, owner, clinic, book, nocsrf):
    book("2026-11-22 09:00", resource="own")
    book("2026-11-22 09:00", resource="other")
    response = owner.post(
        "/admin/bookings/new",
        data={
            "type_id": clinic.type_id,
            "day": "2026-11-22",
            "start": "2026-11-22T09:00:00+03:00",
            "first_name": "Late",
        },
        headers=htmx(target="booking-form"),
    )
    assert response.status_code == 422
    assert "not free any more" in text(response)

    bad = owner.post(
        "/admin/bookings/new",
        data={
            "type_id": clinic.type_id,
            "day": "2026-11-22",
            "start": "2026-11-22T10:00:00+03:00",
            "first_name": "A",
            "email": "not-an-email",
        },
    )
    assert bad.status_code == 422
    assert "Enter a valid email address." in text(bad)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Booking)) == 2


def test_reschedule_moves_the_booking_to_a_new_time(app, owner, book, nocsrf):
    booking_id = book("2026-11-22 09:00")

    response = owner.post(
        f"/admin/bookings/{booking_id}/reschedule",
        data={"day": "2026-11-23", "start": "2026-11-23T14:00:00+03:00"},
    )

    assert response.status_code == 303
    with app.app_context():
        old = db.session.get(Booking, booking_id)
        new = db.session.scalars(
            db.select(Booking).where(Booking.rescheduled_from_id == booking_id)
        ).one()
        assert old.status == "CANCELED"
        assert new.start_at == at("2026-11-23 14:00")
        assert new.customer_id == old.customer_id


def test_customer_text_is_escaped_on_every_admin_page(owner, book):
    booking_id = book(
        "2026-11-22 09:00",
        customer={"first_name": "<script>alert(1)</script>", "email": "x@example.com"},
        note="<img src=x onerror=alert(2)>",
    )

    for url in (
        "/admin/bookings",
        f"/admin/bookings/{booking_id}",
        "/admin/calendar?date=2026-11-22",
        "/admin/",
        "/admin/customers",
    ):
        page = text(owner.get(url))
        assert "<script>alert(1)" not in page, url
        assert "<img src=x" not in page, url
    assert "&lt;script&gt;alert(1)" in text(owner.get(f"/admin/bookings/{booking_id}"))


def test_the_list_pages_and_searches_alike_on_both_databases(any_app):
    from tests.admin.conftest import build_clinic, sign_in

    clinic = build_clinic(any_app, "both")
    with any_app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        booking_type = db.session.get(BookingType, clinic.type_id)
        for i, hour in enumerate((9, 10, 11, 12, 14, 15, 16) * 2):
            day = 22 + i // 7
            customer = make_customer(
                db.session,
                organization,
                first_name=f"Name{i}",
                last_name="O'Brien_%" if i == 3 else "X",
            )
            create_booking(
                db.session,
                organization,
                booking_type,
                start=at(f"2026-11-{day} {hour:02d}:00"),
                now=NOW,
                resource_id=clinic.own_resource_id,
                customer=customer,
            )
        db.session.commit()
    client = sign_in(any_app.test_client(), clinic.owner_id)

    found = text(
        client.get("/admin/bookings?q=o'brien_%25", headers=htmx(target="booking-results"))
    )
    assert found.count('href="/admin/bookings/') == 1 and "Name3" in found
    assert "Name4" not in text(client.get("/admin/bookings?q=_%25"))  # wildcards are literal

    any_app.config["ADMIN_PAGE_SIZE"] = 5
    seen, url = [], "/admin/bookings"
    while url:
        page = text(client.get(url, headers=htmx(target="more-row") if "after" in url else {}))
        seen += re.findall(r'href="/admin/bookings/([A-Za-z0-9]{20})"', page)
        found_next = re.search(r'href="(/admin/bookings\?after=[^"]+)"', page)
        url = found_next.group(1).replace("&amp;", "&") if found_next else None
    assert len(seen) == len(set(seen)) == 14


def test_the_history_names_who_acted_and_where_the_booking_was_made(app, owner, pending, nocsrf):
    owner.post(f"/admin/bookings/{pending}/approve")

    page = text(owner.get(f"/admin/bookings/{pending}"))

    assert "Huda Owner" in page  # the owner who approved, by name
    assert "the customer" in page
    assert "staff:" not in page


def test_one_customers_bookings_from_their_page(app, owner, book):
    with_maha = book("2026-11-22 09:00", customer={"first_name": "Maha", "email": "m@example.com"})
    book("2026-11-22 10:00", customer={"first_name": "Fahad"})
    with app.app_context():
        customer_id = db.session.get(Booking, with_maha).customer_id

    page = text(owner.get(f"/admin/bookings?customer={customer_id}"))

    assert "Maha" in page and "Fahad" not in page
