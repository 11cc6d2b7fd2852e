"""The providers' queue page: who waits for a resource (oldest first), taking the next
customer, ending a booking under way, and the list refreshing itself."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from tests.admin.conftest import csrf_token, htmx, sign_in, text
from tests.admin.test_types import _form
from tests.conftest import NOW
from tests.factories import make_booking_type, make_customer
from webapp.booking import queue
from webapp.booking.expiry import expire_due
from webapp.booking.states import Actor
from webapp.extensions import db
from webapp.models import Booking, BookingType, Member, Organization, Resource

URL = "/admin/queue"


@pytest.fixture
def xray(app, clinic) -> str:
    """A second service that only the colleague's resource offers."""
    with app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        service = make_booking_type(db.session, organization, name="X-ray", minutes=15)
        colleague = db.session.get(Resource, clinic.other_resource_id)
        colleague.booking_types.append(service)
        db.session.commit()
        return service.id


def join_queue(app, organization_id: str, type_id: str, name: str, minutes_ago: int, **kw):
    """A customer called ``name`` joined the service's queue ``minutes_ago``."""
    with app.app_context():
        organization = db.session.get(Organization, organization_id)
        customer = make_customer(db.session, organization, first_name=name, last_name="Q")
        booking = queue.join_queue(
            db.session,
            organization,
            booking_type_id=type_id,
            actor=Actor("customer", customer.id),
            now=NOW - timedelta(minutes=minutes_ago),
            customer=customer,
            source="website",
            **kw,
        )
        db.session.commit()
        return booking.id


@pytest.fixture
def join(app, clinic):
    def _join(name: str, minutes_ago: int = 10, type_id: str | None = None, **kw) -> str:
        return join_queue(
            app, clinic.organization_id, type_id or clinic.type_id, name, minutes_ago, **kw
        )

    return _join


def booking(app, booking_id: str) -> Booking:
    with app.app_context():
        found = db.session.get(Booking, booking_id)
        db.session.expunge(found)
        return found


def names_in_order(page: str) -> list[str]:
    return re.findall(r'hx-push-url="false">(\w+) Q</a></th>', page)


def take(client, booking_id: str, resource_id: str, token: str, **headers):
    return client.post(
        f"{URL}/{booking_id}/take",
        data={"resource": resource_id, "csrf_token": token},
        headers=headers,
    )


def token_of(client, resource_id: str) -> str:
    return csrf_token(client.get(f"{URL}?resource={resource_id}"))


def toast_of(response) -> dict:
    return json.loads(response.headers["HX-Trigger"])["toast"]


def test_the_queue_lists_who_waits_for_the_resource_oldest_first(owner, clinic, join, xray):
    join("Maha", minutes_ago=20)
    join("Noor", minutes_ago=15, type_id=xray)
    join("Fahad", minutes_ago=10)

    own = text(owner.get(f"{URL}?resource={clinic.own_resource_id}"))
    other = text(owner.get(f"{URL}?resource={clinic.other_resource_id}"))

    assert names_in_order(own) == ["Maha", "Fahad"]  # Dr Salma does not offer X-ray
    assert names_in_order(other) == ["Maha", "Noor", "Fahad"]
    assert "Checkup" in own and "Next" in own
    # Waiting since 08:40 (20 minutes); 60 - 20 = 40 minutes before the wait runs out.
    assert "8:40" in own and "(20 min)" in own and "40 min" in own
    # Places count within each service's queue: Noor is first for X-ray.
    places = re.findall(r'<td class="num place">(\d)', other)
    assert places == ["1", "1", "2"]
    assert f'href="{URL}" aria-current="page">Queue</a>' in own


def test_staff_see_only_the_queue_of_their_own_resources(staff, clinic, join):
    join("Maha")

    page = text(staff.get(URL))

    assert names_in_order(page) == ["Maha"]
    assert "Dr Salma" in page and "Dr Omar" not in page
    assert staff.get(f"{URL}?resource={clinic.other_resource_id}").status_code == 404


def test_taking_a_customer_confirms_the_booking_on_the_resource(app, staff, clinic, join):
    maha, fahad = join("Maha", minutes_ago=20), join("Fahad", minutes_ago=10)
    token = token_of(staff, clinic.own_resource_id)

    response = take(staff, maha, clinic.own_resource_id, token, **htmx(target="queue-board"))

    assert response.status_code == 200
    assert toast_of(response)["message"] == "You are now serving Maha Q."
    board = text(response)
    assert board.lstrip().startswith('<div id="queue-board"')
    assert names_in_order(board) == ["Fahad"]
    assert "Under way now" in board and f"/admin/queue/{maha}/end" in board
    taken = booking(app, maha)
    assert taken.status == "CONFIRMED" and taken.resource_id == clinic.own_resource_id
    assert taken.start_at == NOW
    assert booking(app, fahad).status == "PENDING_ASSIGNMENT"


def test_the_second_provider_to_take_a_customer_hears_it_is_taken(app, owner, staff, clinic, join):
    maha = join("Maha")
    stale = token_of(staff, clinic.own_resource_id)  # the staff member's page still shows Maha
    assert take(owner, maha, clinic.other_resource_id, token_of(owner, clinic.other_resource_id))

    late = take(staff, maha, clinic.own_resource_id, stale, **htmx(target="queue-board"))

    assert late.status_code == 409
    assert toast_of(late) == {
        "message": "Someone else has already taken this customer.",
        "kind": "error",
    }
    assert names_in_order(text(late)) == []
    assert booking(app, maha).resource_id == clinic.other_resource_id


def test_a_customer_whose_wait_ran_out_cannot_be_taken(app, staff, clinic, join):
    gone = join("Maha", minutes_ago=30, assignment_timeout=5)
    page = text(staff.get(URL))
    assert names_in_order(page) == []
    token = csrf_token(staff.get(URL))

    before_sweep = take(staff, gone, clinic.own_resource_id, token, **htmx())
    with app.app_context():
        expire_due(db.session, NOW)
        db.session.commit()
    after_sweep = take(staff, gone, clinic.own_resource_id, token, **htmx())

    for response in (before_sweep, after_sweep):
        assert response.status_code == 409
        assert "waited too long and left the queue" in toast_of(response)["message"]
    assert booking(app, gone).status == "REJECTED"


def test_a_busy_resource_cannot_take_another_customer(app, staff, clinic, join):
    maha, fahad = join("Maha", minutes_ago=20), join("Fahad", minutes_ago=10)
    token = token_of(staff, clinic.own_resource_id)
    take(staff, maha, clinic.own_resource_id, token, **htmx())

    busy = take(staff, fahad, clinic.own_resource_id, token, **htmx())

    assert busy.status_code == 409
    assert "This resource is busy right now." in toast_of(busy)["message"]
    assert booking(app, fahad).status == "PENDING_ASSIGNMENT"


def test_ending_a_booking_under_way_offers_the_next_customer(app, staff, clinic, join):
    maha, fahad = join("Maha", minutes_ago=20), join("Fahad", minutes_ago=10)
    token = token_of(staff, clinic.own_resource_id)
    take(staff, maha, clinic.own_resource_id, token, **htmx())
    app.config["MAWID_NOW"] = NOW + timedelta(minutes=12)  # Maha was seen in 12 minutes

    ended = staff.post(
        f"{URL}/{maha}/end",
        data={"resource": clinic.own_resource_id, "csrf_token": token},
        headers=htmx(target="queue-board"),
    )

    assert ended.status_code == 200
    assert "The next customer can be taken." in toast_of(ended)["message"]
    board = text(ended)
    assert names_in_order(board) == ["Fahad"] and "Next" in board
    assert f"/admin/queue/{maha}/end" not in board
    served = booking(app, maha)
    assert served.status == "COMPLETED" and served.end_at == NOW + timedelta(minutes=12)
    # The resource is free again: the next customer can be taken at once.
    assert take(staff, fahad, clinic.own_resource_id, token, **htmx()).status_code == 200
    assert booking(app, fahad).status == "CONFIRMED"


def test_a_plain_form_goes_back_to_the_queue_with_a_message(app, staff, clinic, join):
    maha = join("Maha")
    token = token_of(staff, clinic.own_resource_id)

    response = take(staff, maha, clinic.own_resource_id, token)

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{URL}?resource={clinic.own_resource_id}")
    assert "You are now serving Maha Q." in text(staff.get(response.headers["Location"]))


def test_the_list_refreshes_itself_and_answers_204_while_nothing_changed(staff, clinic, join):
    join("Maha", minutes_ago=20)
    page = text(staff.get(URL))
    poll = re.search(r'hx-get="([^"]+)"\s+hx-trigger="every 5s', page)
    assert poll, "the board polls"
    poll_url = poll.group(1).replace("&amp;", "&")

    unchanged = staff.get(poll_url, headers=htmx(target="queue-board"))
    assert unchanged.status_code == 204

    join("Fahad", minutes_ago=1)
    changed = staff.get(poll_url, headers=htmx(target="queue-board"))
    assert changed.status_code == 200
    assert "<html" not in text(changed)
    assert names_in_order(text(changed)) == ["Maha", "Fahad"]


def test_other_organizations_bookings_and_resources_answer_404(
    app, owner, clinic, other_clinic, join
):
    foreign = join_queue(app, other_clinic.organization_id, other_clinic.type_id, "Zaid", 5)
    token = token_of(owner, clinic.own_resource_id)

    assert owner.get(f"{URL}?resource={other_clinic.own_resource_id}").status_code == 404
    assert take(owner, foreign, clinic.own_resource_id, token).status_code == 404
    assert take(owner, foreign, other_clinic.own_resource_id, token).status_code == 404
    ended = owner.post(
        f"{URL}/{foreign}/end", data={"resource": clinic.own_resource_id, "csrf_token": token}
    )
    assert ended.status_code == 404
    assert booking(app, foreign).status == "PENDING_ASSIGNMENT"
    assert "Zaid" not in text(owner.get(f"{URL}?resource={clinic.own_resource_id}"))


def test_taking_needs_the_form_token_and_a_resource(app, staff, clinic, join):
    maha = join("Maha")

    forged = staff.post(f"{URL}/{maha}/take", data={"resource": clinic.own_resource_id})
    no_resource = staff.post(
        f"{URL}/{maha}/take", data={"csrf_token": token_of(staff, clinic.own_resource_id)}
    )

    assert forged.status_code == 400
    assert no_resource.status_code == 400
    assert "Choose one of your resources first." in text(no_resource)
    assert booking(app, maha).status == "PENDING_ASSIGNMENT"


def test_a_member_without_resources_is_told_so(app, clinic):
    with app.app_context():
        member = db.session.scalar(db.select(Member).where(Member.user_id == clinic.staff_id))
        member.resources.clear()
        db.session.commit()
    client = sign_in(app.test_client(), clinic.staff_id)

    page = text(client.get(URL))

    assert "You have no resources yet" in page


def test_the_dashboard_counts_who_waits_in_the_queue(staff, clinic, join, xray):
    join("Maha")
    join("Fahad")
    join("Noor", type_id=xray)  # only the colleague offers X-ray

    page = text(staff.get("/admin/"))

    assert re.search(r"<strong>2</strong>waiting in the queue", page)
    assert f'href="{URL}"' in page


def test_a_service_offers_its_queue_once_the_box_is_ticked(app, owner, clinic, nocsrf):
    url = f"/admin/types/{clinic.type_id}"
    assert "Customers may join a queue for this service (no date or time)" in text(owner.get(url))

    owner.post(url, data=_form(queue_enabled="1", resource_ids=[clinic.own_resource_id]))

    with app.app_context():
        assert db.session.get(BookingType, clinic.type_id).queue_enabled is True
    assert 'name="queue_enabled" type="checkbox" value="1" checked' in text(owner.get(url))
    owner.post(url, data=_form(resource_ids=[clinic.own_resource_id]))
    with app.app_context():
        assert db.session.get(BookingType, clinic.type_id).queue_enabled is False
