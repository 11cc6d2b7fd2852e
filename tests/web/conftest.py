"""The booking website as a customer meets it: a clinic with two branches, three doctors, two
services and a few questions, a client that walks the booking flow, and small page readers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import deliver_notifications
from tests.factories import (
    at,
    create_booking,
    make_booking_type,
    make_field,
    make_organization,
    make_resource,
)
from webapp.extensions import db
from webapp.models import (
    Booking,
    BookingType,
    Customer,
    Organization,
    ResourceCategory,
    Website,
    WebsiteVersion,
)
from webapp.public.tokens import HOLD_SALT, MANAGE_SALT, read_token

_START = re.compile(r'name="start" value="([^"]+)"')
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_STEP = re.compile(r'<h2 id="step-title"[^>]*>\s*(.*?)\s*</h2>', re.S)
_LINK = re.compile(r'<a\b[^>]*?\shref="([^"]+)"[^>]*>([^<]+)</a>')


def starts(page) -> list[str]:
    """The start times offered as buttons on a page, as posted."""
    return [unescape(value) for value in _START.findall(page.get_data(as_text=True))]


def csrf_token(page) -> str:
    found = _CSRF.search(page.get_data(as_text=True))
    assert found, "the page has no form token"
    return unescape(found.group(1))


def text(page) -> str:
    return page.get_data(as_text=True)


def step_title(page) -> str:
    """The heading of the step a page shows ("Choose a time", ...)."""
    found = _STEP.search(text(page))
    return unescape(found.group(1)) if found else ""


def link_to(page, label: str) -> str:
    """Where the link with this text goes."""
    for href, shown in _LINK.findall(text(page)):
        if unescape(shown).strip() == label:
            return unescape(href)
    raise AssertionError(f"no link {label!r} on the page")


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def customer_form(**overrides) -> dict:
    values = {
        "c_firstName": "Sara",
        "c_lastName": "Haddad",
        "c_email": "sara@example.com",
        "c_phoneNumber": "",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def last_code_in(messages: list[dict]) -> str:
    """The one-time code of the latest message that carries one, or ""."""
    for message in reversed(messages):
        found = re.search(r"code is (\d{6})", message["text"])
        if found:
            return found.group(1)
    return ""


@dataclass
class Site:
    """One organization's website with the ids tests choose from, and ways to use it."""

    app: Flask
    client: FlaskClient
    slug: str
    organization_id: str
    website_id: str
    types: dict[str, str] = field(default_factory=dict)
    resources: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def messages(self) -> list[dict]:
        """What was sent, once the worker has delivered what is waiting."""
        return deliver_notifications(self.app)

    def url(self, path: str = "/", **params) -> str:
        query = urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)
        return f"/{self.slug}{path}" + (f"?{query}" if query else "")

    @contextmanager
    def db(self) -> Iterator:
        """The database in its own app context, so requests never share the test's ``g``."""
        with self.app.app_context():
            yield db.session

    def configure(self, **settings) -> None:
        """Change the live website settings."""
        with self.db() as session:
            live = session.scalars(
                select(WebsiteVersion).where(
                    WebsiteVersion.website_id == self.website_id,
                    WebsiteVersion.version == "default",
                )
            ).one()
            for key, value in settings.items():
                setattr(live, key, value)
            session.commit()

    def update(self, model, row_id: str, **values) -> None:
        with self.db() as session:
            row = session.get(model, row_id)
            for key, value in values.items():
                setattr(row, key, value)
            session.commit()

    def book_directly(
        self,
        doctor: str,
        start: str,
        service: str = "consultation",
        customer_id: str | None = None,
        **overrides,
    ) -> str:
        """Book through the service, as another customer or the front desk would; the id."""
        with self.db() as session:
            organization = session.get(Organization, self.organization_id)
            booking_type = session.get(BookingType, self.types[service])
            if customer_id:
                overrides["customer"] = session.get(Customer, customer_id)
            booking = create_booking(
                session,
                organization,
                booking_type,
                start=at(start),
                now=self.app.config["MAWID_NOW"],
                resource_id=self.resources[doctor],
                **overrides,
            )
            session.commit()
            return booking.id

    def booking(self, booking_id: str) -> Booking:
        """A booking as stored now (detached: columns only)."""
        with self.db() as session:
            return session.get(Booking, booking_id)

    def bookings(self) -> list[Booking]:
        with self.db() as session:
            return list(
                session.scalars(
                    select(Booking)
                    .where(Booking.organization_id == self.organization_id)
                    .order_by(Booking.start_at)
                )
            )

    def booking_from(self, url: str) -> Booking:
        """The booking behind a hold or manage link."""
        token = urlsplit(url).path.rstrip("/").split("/")[3]
        with self.db():
            salt = MANAGE_SALT if "/bookings/" in url else HOLD_SALT
            booking_id = read_token(salt, self.website_id, token)
        assert booking_id, f"not a link of this website: {url}"
        return self.booking(booking_id)

    def emails_to(self, address: str) -> list[dict]:
        return [m for m in self.messages if m["kind"] == "email" and m["to"] == address]

    def subjects_to(self, address: str) -> list[str]:
        return [m["subject"] for m in self.emails_to(address)]

    def last_code(self) -> str:
        """The one-time code in the last message that carried one."""
        found = last_code_in(self.messages)
        assert found, self.messages[-1:]
        return found

    def sign_in(self, identifier: str = "sara@example.com"):
        """Sign in to the customer area with the code sent; the answer to the code."""
        asked = self.client.post(self.url("/account/sign-in"), data={"identifier": identifier})
        verify = path_of(asked.headers["Location"])
        challenge = verify.split("challenge=")[1]
        return self.client.post(verify, data={"challenge": challenge, "code": self.last_code()})

    # -- walking the flow --------------------------------------------------------------

    def time_step(self, service: str = "consultation", doctor: str | None = "huda", **params):
        choice = {"type": self.types[service]} if service else {}
        if doctor:
            choice["resource"] = self.resources.get(doctor, doctor)
        return self.client.get(self.url("/book", **choice, **params))

    def hold(self, start: str, service: str = "consultation", doctor: str | None = "huda", **form):
        data = {"type": self.types[service], "start": start, **form}
        if doctor:
            data["resource"] = self.resources.get(doctor, doctor)
        return self.client.post(self.url("/book/hold"), data=data)

    def hold_first(self, service: str = "consultation", doctor: str | None = "huda", **params):
        """Hold the first time offered; the answer is the redirect to the details form."""
        page = self.time_step(service, doctor, **params)
        assert page.status_code == 200, text(page)
        offered = starts(page)
        assert offered, "no times offered"
        extra = {k: v for k, v in params.items() if k.startswith(("a_", "f_"))}
        held = self.hold(offered[0], service, doctor, **extra)
        assert held.status_code == 303, text(held)
        return held

    def book(self, service: str = "consultation", doctor: str | None = "huda", **customer):
        """The whole flow with the first free time; the answer is the manage page."""
        held = self.hold_first(service, doctor)
        details = path_of(held.headers["Location"])
        assert self.client.get(details).status_code == 200
        done = self.client.post(details, data=customer_form(**customer))
        assert done.status_code == 303, text(done)
        return self.client.get(path_of(done.headers["Location"]))


@pytest.fixture
def web(app):
    """The app as the flow tests use it: forms without tokens, messages captured."""
    app.config.update(WTF_CSRF_ENABLED=False, MESSAGES_CAPTURE=[])
    return app


def build_site(app: Flask, *, name: str = "Shifa Clinic") -> Site:
    with app.app_context():
        session = db.session
        organization = make_organization(session, name=name)
        website = session.scalars(
            select(Website).where(Website.organization_id == organization.id)
        ).one()
        live = website.settings
        live.display_name = name
        live.description = "Family doctors in the heart of Riyadh."
        live.call_support = "+966 11 555 0100"
        live.email_support = "care@shifa.example"
        north = ResourceCategory(organization_id=organization.id, name="North branch", position=0)
        south = ResourceCategory(organization_id=organization.id, name="South branch", position=1)
        session.add_all([north, south])
        session.flush()
        consultation = make_booking_type(
            session,
            organization,
            name="Consultation",
            name_translations={"ar": "استشارة"},
            minutes=30,
            price=150,
            old_price=200,
            deposit_amount=50,
            position=0,
        )
        vaccination = make_booking_type(
            session, organization, name="Vaccination", minutes=15, position=1
        )
        huda = make_resource(
            session,
            organization,
            consultation,
            vaccination,
            name="Dr Huda",
            category_id=north.id,
            meta={"specialty": "pediatrics"},
            position=0,
        )
        omar = make_resource(
            session,
            organization,
            consultation,
            name="Dr Omar",
            category_id=north.id,
            meta={"specialty": "dermatology"},
            position=1,
        )
        layla = make_resource(
            session,
            organization,
            consultation,
            vaccination,
            name="Dr Layla",
            category_id=south.id,
            meta={"specialty": "pediatrics"},
            position=2,
        )
        specialty = make_field(
            session,
            organization,
            "specialty",
            name="Specialty",
            type="options",
            optional=True,
            visibility="public",
            info={"filterResources": True},
            options=[
                {"value": "pediatrics", "label": "Pediatrics"},
                {"value": "dermatology", "label": "Dermatology"},
            ],
        )
        extras = make_field(
            session,
            organization,
            "extras",
            name="Extras",
            type="options",
            optional=True,
            visibility="public",
            types=[consultation.id],
            options=[
                {"value": "standard", "label": "Standard"},
                {"value": "xray", "label": "With an X-ray", "minutes": 30, "price": 100},
            ],
        )
        session.commit()
        return Site(
            app=app,
            client=app.test_client(),
            slug=website.slug,
            organization_id=organization.id,
            website_id=website.id,
            types={"consultation": consultation.id, "vaccination": vaccination.id},
            resources={"huda": huda.id, "omar": omar.id, "layla": layla.id},
            categories={"north": north.id, "south": south.id},
            fields={"specialty": specialty.id, "extras": extras.id},
        )


@pytest.fixture
def site(web) -> Site:
    """Shifa Clinic: North branch (Dr Huda, pediatrics; Dr Omar, dermatology) and South
    branch (Dr Layla, pediatrics); Consultation (30 min, 150, was 200, deposit 50) with an
    optional X-ray extra (+30 min, +100), and Vaccination (15 min, free)."""
    return build_site(web)


@pytest.fixture
def other_site(web) -> Site:
    """A second business on the same installation."""
    return build_site(web, name="Noor Dental")
