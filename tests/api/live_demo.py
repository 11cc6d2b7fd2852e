"""The demo clinic served by a real server on a free local port, with what a client
needs to reach past "not found": credentials (API keys, a customer's tokens) and real ids,
some of them made only to be changed or deleted, and free times to book."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from webapp import accounts, create_app, demo
from webapp.auth import otp, tokens
from webapp.booking import intervals as iv
from webapp.booking import lifecycle
from webapp.extensions import db
from webapp.manage import booking_types, resources
from webapp.models import Booking, BookingStatus, Customer, Invoice, Organization, User
from webapp.models.types import utcnow

SECRET = "live-demo-secret"
SIGN_IN_EMAIL = "new.patient@example.com"


class QuietHandler(WSGIRequestHandler):
    """Thousands of requests: no line logged for each."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@dataclass
class LiveDemo:
    base_url: str
    app_id: str
    slug: str
    organization_id: str
    organization_key: str
    account_key: str
    customer_token: str = ""
    refresh_token: str = ""
    # Real ids by role: "resource" (offers "type" on the website), "spare_*" (to change or
    # delete), "own_booking" (the signed-in customer's)...
    ids: dict[str, str] = field(default_factory=dict)
    # A one-time code sent to SIGN_IN_EMAIL, to sign in with once.
    code: str = ""
    # Free times of "type" with "resource": (date, military time), a different one per use.
    free: list[tuple[str, int]] = field(default_factory=list)


@contextmanager
def serve_demo(folder: Path) -> Iterator[LiveDemo]:
    app = create_app(
        {
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.sqlite3'}",
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "MEDIA_FOLDER": str(folder / "media"),
            "RATELIMIT_ENABLED": False,
            "MESSAGES_CAPTURE": [],
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    base_url = f"http://127.0.0.1:{server.server_port}"
    with app.app_context():
        db.create_all()
        loaded = demo.load_demo(db.session, now=utcnow(), base_url=base_url)
        live = LiveDemo(
            base_url=base_url,
            app_id=loaded["appId"],
            slug=loaded["slug"],
            organization_id=loaded["organizationId"],
            organization_key=loaded["apiKeys"]["organization"],
            account_key=loaded["apiKeys"]["account"],
        )
        _prepare(live)
        db.session.commit()
        live.free = _free_times(app, live)
        _hold(live)
        db.session.commit()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield live
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


def _prepare(live: LiveDemo) -> None:
    session, now = db.session, utcnow()
    organization = session.get(Organization, live.organization_id)
    bookings = list(session.scalars(select(Booking).filter_by(organization_id=organization.id)))
    checkup = next(b for b in bookings if b.booking_type.name == "Dental checkup" and b.start_at)
    pending = next(b for b in bookings if b.status == BookingStatus.PENDING_APPROVAL)
    confirmed = [b for b in bookings if b.status == BookingStatus.CONFIRMED and b is not checkup]
    customer = session.get(Customer, checkup.customer_id)
    others = session.scalars(
        select(Customer.id).filter_by(organization_id=organization.id).order_by(Customer.id)
    )
    invoice = _invoice(organization, customer, checkup)
    _invoice(organization, customer, None)
    access = tokens.AccessClaims(organization.id, customer_id=customer.id)
    live.customer_token = tokens.issue_access_token(access, secret_key=SECRET)
    live.code = otp.request_code(
        session, organization, channel="email", identifier=SIGN_IN_EMAIL, purpose="sign_in", now=now
    )[1]
    live.refresh_token = tokens.issue_refresh_token(
        session, organization=organization, now=now, customer=customer, label="test"
    )[1]
    owner = session.scalar(select(User).filter_by(email=demo.OWNER_EMAIL))
    spare = _resource(organization, "Spare chair")
    spare_organization, _website = accounts.create_organization(
        session, owner=owner, name="Spare Clinic", timezone=demo.TIMEZONE, slug="spare-clinic"
    )
    live.ids = {
        "resource": checkup.resource_id,
        "type": checkup.booking_type_id,
        "customer": next(c for c in others if c != customer.id),
        "booking": confirmed[0].id,
        "pending_booking": pending.id,
        "cancel_booking": confirmed[1].id,
        "own_booking": checkup.id,
        "own_invoice": invoice.id,
        "spare_resource": spare.id,
        "doomed_resource": _resource(organization, "Old chair").id,
        "spare_type": _type(organization, "Spare service").id,
        "doomed_type": _type(organization, "Old service").id,
        "spare_organization": spare_organization.id,
        "spare_organization_key": _key_name(accounts.issue_organization_key, organization),
        "spare_account_key": _key_name(accounts.issue_account_key, owner),
        "request_booking": _direct(
            checkup, now + timedelta(days=3), spare, BookingStatus.PENDING_APPROVAL
        ).id,
        # Waiting in the queue (assign; the customer's own may leave it), under way since ten
        # minutes (end).
        "queued_booking": _direct(
            checkup, None, None, BookingStatus.PENDING_ASSIGNMENT, customer_id=pending.customer_id
        ).id,
        "own_queued_booking": _direct(checkup, None, None, BookingStatus.PENDING_ASSIGNMENT).id,
        "started_booking": _direct(
            checkup, now - timedelta(minutes=10), spare, BookingStatus.CONFIRMED
        ).id,
    }


def _invoice(organization, customer, booking) -> Invoice:
    organization.invoice_counter += 1  # numbered after those the demo's bookings took
    invoice = Invoice(
        organization_id=organization.id,
        customer_id=customer.id,
        booking_id=booking.id if booking else None,
        number=organization.invoice_counter,
        currency="SAR",
        sub_total=150,
        discount=0,
        total=150,
        amount_paid=50,
        balance=100,
        status="PARTIALLY_PAID",
    )
    db.session.add(invoice)
    return invoice


def _direct(
    like: Booking, start: datetime | None, resource, status: BookingStatus, customer_id=None
) -> Booking:
    """A booking written as it stands (no time checks): one that has already started, one
    waiting in the queue, a request to approve or reject."""
    booking = Booking(
        organization_id=like.organization_id,
        booking_type_id=like.booking_type_id,
        customer_id=customer_id or like.customer_id,
        resource_id=resource.id if resource else None,
        status=status,
        start_at=start,
        end_at=start + timedelta(minutes=like.duration) if start else None,
        duration=like.duration,
    )
    db.session.add(booking)
    db.session.flush()
    return booking


def _key_name(issue, owner) -> str:
    """The name of a new key of ``owner``, made to be deleted."""
    issue(db.session, owner, "spare")
    return "spare"


def _resource(organization, name: str):
    return resources.save_resource(db.session, organization, resources.ResourceValues(name=name))


def _type(organization, name: str):
    values = booking_types.BookingTypeValues(name=name, minutes=30)
    return booking_types.save_booking_type(db.session, organization, values)


def _free_times(app, live: LiveDemo) -> list[tuple[str, int]]:
    """Free times of the checkup with its resource, as the website offers them."""
    answer = app.test_client().post(
        "/api/availability/times",
        json={"type": live.ids["type"], "resourceFilters": {"resource": live.ids["resource"]}},
        headers={"X-APP-ID": live.app_id},
    )
    days = answer.get_json()["result"]
    return [(day["date"], slot["time"]) for day in days[2:] for slot in day["times"]][:8]


def _hold(live: LiveDemo) -> None:
    """A hold (TEMPORARY booking) for the confirm call, on the last of the free times."""
    session = db.session
    organization = session.get(Organization, live.organization_id)
    day, time = live.free.pop()
    start = datetime.combine(date.fromisoformat(day), clock(time // 100, time % 100))
    hold = lifecycle.create_booking(
        session,
        organization,
        booking_type_id=live.ids["type"],
        start=start.replace(tzinfo=iv.zone(demo.TIMEZONE)),
        actor=lifecycle.Actor("api", "test"),
        now=utcnow(),
        customer=session.get(Customer, live.ids["customer"]),
        resource_id=live.ids["resource"],
        hold_minutes=lifecycle.HOLD_MINUTES_RANGE[1],
    )
    live.ids["hold"] = hold.id
