"""The virtual queue on the website: joining a service's queue with the booking's details
(and code), the customer's place in line as others join, leave and are served, leaving,
the counter screen, a paid queue that waits for payment first, and links and input that
must not reach another business or break a page."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.conftest import NOW
from tests.web.conftest import Site, customer_form, path_of, text
from tests.web.test_embed import allow, app_id, completion, frame_url
from webapp.booking import lifecycle, queue
from webapp.models import Booking, BookingType, Invoice, Organization
from webapp.public.tokens import manage_token

QUEUE_PAGE = re.compile(r"^/[^/]+/queue/[^/?]+\?new=1$")
POLL = {"HX-Request": "true", "HX-Target": "queue-status"}


@pytest.fixture
def clinic(site) -> Site:
    """Shifa Clinic with a queue for Vaccination (15 minutes, free; Dr Huda and Dr Layla)."""
    site.update(BookingType, site.types["vaccination"], queue_enabled=True)
    return site


def join(site: Site, service: str = "vaccination", seconds: int = 0, **customer):
    """Join the service's queue as a customer, ``seconds`` after the tests' now (the queue
    is first come, first served); the answer to the details form."""
    site.app.config["MAWID_NOW"] = NOW + timedelta(seconds=seconds)
    return site.client.post(
        site.url(f"/queue/join/{site.types[service]}"), data=customer_form(**customer)
    )


def joined(site: Site, seconds: int = 0, **customer) -> str:
    """The queue page of a new place in the vaccination queue."""
    answer = join(site, seconds=seconds, **customer)
    assert answer.status_code == 303, text(answer)
    return path_of(answer.headers["Location"]).removesuffix("?new=1")


def booking_of(site: Site, queue_page: str) -> Booking:
    return site.booking_from(queue_page.replace("/queue/", "/bookings/"))


def queue_page_of(site: Site, booking: Booking) -> str:
    with site.app.test_request_context():
        return site.url(f"/queue/{manage_token(site.website_id, booking.id)}")


def status_of(site: Site, queue_page: str) -> str:
    """The live part of the page, as the page's poll gets it."""
    answer = site.client.get(queue_page + "/status", headers=POLL)
    assert answer.status_code in (200, 286), answer.status_code
    return squash(text(answer))


def squash(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(html))


def assign(site: Site, booking_id: str, doctor: str = "huda") -> None:
    with site.db() as session:
        organization = session.get(Organization, site.organization_id)
        queue.assign_booking(
            session,
            organization,
            booking_id,
            resource_id=site.resources[doctor],
            actor=lifecycle.Actor("staff"),
            now=site.app.config["MAWID_NOW"],
        )
        session.commit()


# -- joining ----------------------------------------------------------------------------------


def test_services_with_a_queue_offer_to_join_it(clinic):
    page = squash(text(clinic.client.get(clinic.url("/"))))
    join_link = f'href="/{clinic.slug}/queue/join/{clinic.types["vaccination"]}"'

    assert join_link in page
    assert "No one waiting" in page
    assert f"/queue/join/{clinic.types['consultation']}" not in page
    assert f'href="/{clinic.slug}/counter"' in page


def test_a_site_without_queues_offers_none(site):
    page = text(site.client.get(site.url("/")))

    assert "/queue/join/" not in page
    assert "/counter" not in page


def test_the_time_step_of_a_queue_service_offers_the_queue_instead(clinic):
    joined(clinic)
    page = squash(text(clinic.time_step("vaccination")))

    assert "Join the queue</a>" in page
    assert "1 waiting · about 30 minutes" in page


def test_joining_puts_the_customer_in_line(clinic):
    form = clinic.client.get(clinic.url(f"/queue/join/{clinic.types['vaccination']}"))
    answer = join(clinic)
    page = clinic.client.get(path_of(answer.headers["Location"]))
    booking = booking_of(clinic, path_of(answer.headers["Location"]))
    html = squash(text(page))

    assert form.status_code == 200
    assert 'name="c_firstName"' in text(form)
    assert answer.status_code == 303
    assert QUEUE_PAGE.match(path_of(answer.headers["Location"]))
    assert booking.status == "PENDING_ASSIGNMENT"
    assert booking.start_at is None and booking.resource_id is None
    assert booking.source == "website"
    assert booking.website_id == clinic.website_id
    assert booking.customer_id is not None
    assert page.status_code == 200
    assert "You have joined the queue." in html
    assert "You are number 1 in line" in html
    assert "about 15 minutes" in html
    assert "Vaccination" in html
    assert "Leave the queue" in html
    assert 'hx-trigger="every 5s"' in html


def test_the_poll_interval_comes_from_the_configuration(clinic):
    clinic.app.config["QUEUE_POLL_SECONDS"] = 1
    page = text(clinic.client.get(joined(clinic)))

    assert 'hx-trigger="every 1s"' in page


def test_the_booking_link_of_a_queued_booking_shows_its_place(clinic):
    page = joined(clinic)
    manage = page.replace("/queue/", "/bookings/")

    answer = clinic.client.get(manage)

    assert answer.status_code == 303
    assert path_of(answer.headers["Location"]) == page
    assert clinic.client.get(manage + "/booking.ics").status_code == 404


def test_joining_asks_for_the_code_when_the_website_verifies(clinic):
    clinic.configure(require_verification=True)
    asked = join(clinic)
    verify = path_of(asked.headers["Location"])
    challenge = verify.split("challenge=")[1]
    waiting_before_the_code = clinic.bookings()
    wrong = clinic.client.post(verify, data={"challenge": challenge, "code": "000000"})
    done = clinic.client.post(verify, data={"challenge": challenge, "code": clinic.last_code()})

    assert asked.status_code == 303
    assert f"/queue/join/{clinic.types['vaccination']}/verify" in verify
    assert waiting_before_the_code == []
    assert wrong.status_code == 422
    assert "That code is not right." in text(wrong)
    assert done.status_code == 303
    assert QUEUE_PAGE.match(path_of(done.headers["Location"]))
    assert booking_of(clinic, path_of(done.headers["Location"])).status == "PENDING_ASSIGNMENT"


def test_a_code_for_a_booking_does_not_join_a_queue(clinic):
    clinic.configure(require_verification=True)
    held = clinic.hold_first("vaccination")
    details = path_of(held.headers["Location"])
    asked = clinic.client.post(details, data=customer_form())
    challenge = path_of(asked.headers["Location"]).split("challenge=")[1]
    verify = clinic.url(f"/queue/join/{clinic.types['vaccination']}/verify")

    answer = clinic.client.post(verify, data={"challenge": challenge, "code": clinic.last_code()})

    assert answer.status_code == 404
    assert not [b for b in clinic.bookings() if b.status == "PENDING_ASSIGNMENT"]


# -- places in line ---------------------------------------------------------------------------


def test_places_move_up_as_others_leave_and_are_served(clinic):
    first = joined(clinic, seconds=1, c_email="amal@example.com", c_firstName="Amal")
    second = joined(clinic, seconds=2, c_email="badr@example.com", c_firstName="Badr")
    third = joined(clinic, seconds=3, c_email="dana@example.com", c_firstName="Dana")

    assert "You are number 3 in line" in status_of(clinic, third)
    assert "about 45 minutes" in status_of(clinic, third)

    clinic.client.post(second + "/leave")
    assert "You are number 2 in line" in status_of(clinic, third)
    assert "You are number 1 in line" in status_of(clinic, first)

    assign(clinic, booking_of(clinic, first).id)
    assert "You are number 1 in line" in status_of(clinic, third)
    assert "about 15 minutes" in status_of(clinic, third)
    served = status_of(clinic, first)
    assert "It's your turn: Dr Huda has taken your booking" in served
    assert "Saturday, November 21, 2026 · 9:00" in served


def test_queues_of_different_services_count_apart(clinic):
    clinic.update(BookingType, clinic.types["consultation"], queue_enabled=True)
    joined(clinic, seconds=1)
    join(clinic, "consultation", seconds=2)
    page = clinic.client.get(path_of(join(clinic, "consultation", seconds=3).headers["Location"]))

    assert "You are number 2 in line" in squash(text(page))
    assert "about 60 minutes" in squash(text(page))


def test_the_poll_answers_no_change_and_stops_once_settled(clinic):
    page = joined(clinic)
    seen = re.search(r'name="seen" value="([^"]*)"', text(clinic.client.get(page)))[1]

    unchanged = clinic.client.get(page + "/status", query_string={"seen": seen}, headers=POLL)
    assign(clinic, booking_of(clinic, page).id)
    settled = clinic.client.get(page + "/status", query_string={"seen": seen}, headers=POLL)

    assert unchanged.status_code == 204
    assert settled.status_code == 286  # htmx stops polling
    assert "It's your turn" in text(settled)
    assert '<div id="queue-leave" hx-swap-oob="true"></div>' in text(settled)


def test_an_expired_place_says_so(clinic):
    page = joined(clinic)
    booking = booking_of(clinic, page)
    clinic.app.config["MAWID_NOW"] = booking.expires_at + timedelta(seconds=1)

    html = status_of(clinic, page)

    assert "No one could take your booking in time" in html
    assert "Join the queue again" in html


# -- leaving ----------------------------------------------------------------------------------


def test_leaving_the_queue(clinic):
    page = joined(clinic)

    left = clinic.client.post(page + "/leave")
    booking = booking_of(clinic, page)
    html = squash(text(clinic.client.get(page)))
    again = clinic.client.post(page + "/leave")

    assert left.status_code == 303
    assert path_of(left.headers["Location"]) == page
    assert booking.status == "CANCELED"
    assert booking.canceled_by == "customer"
    assert "You left the queue." in html
    assert "Leave the queue</button>" not in html
    assert "hx-trigger" not in html
    assert again.status_code == 422
    assert "You are no longer waiting in this queue." in text(again)


# -- the counter screen -----------------------------------------------------------------------


def test_the_counter_shows_how_long_each_queue_is_without_names(clinic):
    joined(clinic, seconds=1)
    joined(clinic, seconds=2, c_email="badr@example.com", c_firstName="Badr")

    page = clinic.client.get(clinic.url("/counter"))
    board = clinic.client.get(
        clinic.url("/counter"), headers={"HX-Request": "true", "HX-Target": "counter-board"}
    )
    html = squash(text(page))

    assert page.status_code == 200
    assert "Vaccination" in html
    assert "<strong>2</strong> <span>waiting</span>" in html
    assert "about 45 minutes" in html
    assert "Consultation" not in html
    assert "Sara" not in html and "Badr" not in html and "@example.com" not in html
    assert 'hx-trigger="every 5s"' in html
    assert "<html" not in text(board)
    assert "<strong>2</strong>" in squash(text(board))


def test_the_counter_in_arabic(clinic):
    joined(clinic)
    page = text(clinic.client.get(clinic.url("/counter", lang="ar")))

    assert 'dir="rtl"' in page
    assert "<strong>١</strong>" in page


def test_the_counter_without_queues(site):
    page = site.client.get(site.url("/counter"))

    assert page.status_code == 200
    assert "No service takes a queue right now." in text(page)


# -- paying first -----------------------------------------------------------------------------


def test_a_paid_queue_waits_for_payment_first(clinic):
    clinic.update(Organization, clinic.organization_id, online_payments_enabled=True)
    clinic.update(
        BookingType,
        clinic.types["consultation"],
        queue_enabled=True,
        payment_methods=["creditCard"],
    )

    answer = join(clinic, "consultation")
    with clinic.db() as session:
        booking = session.scalars(
            select(Booking).where(Booking.organization_id == clinic.organization_id)
        ).one()
        invoice = session.scalars(select(Invoice).where(Invoice.booking_id == booking.id)).one()

    assert answer.status_code == 303
    assert booking.status == "PENDING_PAYMENT"
    assert invoice.status == "UNPAID"
    assert f"/{clinic.slug}/pay/" in answer.headers["Location"]


def test_the_queue_page_of_an_unpaid_place_asks_for_payment(clinic):
    clinic.update(Organization, clinic.organization_id, online_payments_enabled=True)
    clinic.update(
        BookingType,
        clinic.types["consultation"],
        queue_enabled=True,
        payment_methods=["creditCard"],
    )
    join(clinic, "consultation")
    html = squash(text(clinic.client.get(queue_page_of(clinic, clinic.bookings()[0]))))

    assert "Pay to take your place in the queue" in html
    assert f'href="/{clinic.slug}/pay/' in html
    assert "You are number" not in html


# -- what must not work -----------------------------------------------------------------------


def test_another_websites_queue_links_are_not_found(clinic, other_site):
    page = joined(clinic)
    token = urlsplit(page).path.rsplit("/", 1)[1]
    foreign = other_site.url(f"/queue/{token}")

    assert other_site.client.get(foreign).status_code == 404
    assert other_site.client.get(foreign + "/status", headers=POLL).status_code == 404
    assert other_site.client.post(foreign + "/leave").status_code == 404
    assert booking_of(clinic, page).status == "PENDING_ASSIGNMENT"
    assert clinic.client.get(clinic.url("/queue/not-a-token")).status_code == 404


def test_another_websites_service_cannot_be_joined(clinic, other_site):
    other_site.update(BookingType, other_site.types["vaccination"], queue_enabled=True)
    foreign = clinic.url(f"/queue/join/{other_site.types['vaccination']}")

    assert clinic.client.get(foreign).status_code == 404
    assert clinic.client.post(foreign, data=customer_form()).status_code == 404
    assert other_site.bookings() == []


def test_a_service_without_a_queue_cannot_be_joined(clinic):
    url = clinic.url(f"/queue/join/{clinic.types['consultation']}")

    assert clinic.client.get(url).status_code == 404
    assert clinic.client.post(url, data=customer_form()).status_code == 404
    assert clinic.bookings() == []


def test_a_time_booking_has_no_queue_page(clinic):
    manage = urlsplit(clinic.book().request.url).path

    assert clinic.client.get(manage.replace("/bookings/", "/queue/")).status_code == 404


@pytest.mark.parametrize(
    "form",
    [
        customer_form(c_firstName=""),
        customer_form(c_email="not an email"),
        customer_form(c_firstName="x" * 5000),
        {"c_firstName": ["Sara", "Twice"], "c_email": "\x00"},
    ],
)
def test_bad_details_are_shown_again(clinic, form):
    answer = clinic.client.post(clinic.url(f"/queue/join/{clinic.types['vaccination']}"), data=form)

    assert answer.status_code == 422
    assert "Please correct the fields marked below." in text(answer)
    assert clinic.bookings() == []


# -- inside the widget ------------------------------------------------------------------------


HOST = "https://shop.example.com"


def test_the_host_page_hears_of_a_place_taken_in_the_widget(clinic):
    allow(clinic, [HOST])
    clinic.client = clinic.app.test_client(use_cookies=False)
    join_url = frame_url(clinic, f"/queue/join/{clinic.types['vaccination']}", origin=HOST)

    answer = clinic.client.post(join_url, data=customer_form())
    location = path_of(answer.headers["Location"])
    page = clinic.client.get(location)
    made = completion(page)
    poll = re.search(r'hx-get="([^"]+)"', text(page))[1]

    assert answer.status_code == 303
    assert location.startswith(f"/embed/{app_id(clinic)}/queue/")
    assert "origin=" in location
    assert made["status"] == "PENDING_ASSIGNMENT"
    assert made["bookingTypeId"] == clinic.types["vaccination"]
    assert made["startDateTime"] is None
    assert unescape(poll).startswith(f"/embed/{app_id(clinic)}/queue/")
    assert "origin=" in unescape(poll)
    assert completion(clinic.client.get(location.replace("new=1", ""))) is None


def test_the_host_page_does_not_hear_of_a_place_still_to_be_paid(clinic):
    allow(clinic, [HOST])
    clinic.update(Organization, clinic.organization_id, online_payments_enabled=True)
    clinic.update(
        BookingType, clinic.types["vaccination"], price=50, payment_methods=["creditCard"]
    )

    answer = clinic.client.post(
        frame_url(clinic, f"/queue/join/{clinic.types['vaccination']}", origin=HOST),
        data=customer_form(),
    )
    booking = clinic.bookings()[0]
    with clinic.app.test_request_context():
        booking_url = frame_url(
            clinic, f"/queue/{manage_token(clinic.website_id, booking.id)}", origin=HOST, new=1
        )

    assert answer.status_code == 303
    assert f"/embed/{app_id(clinic)}/pay/" in answer.headers["Location"]
    assert completion(clinic.client.get(booking_url)) is None
