"""The website keeps each organization's catalog (services, resources, categories, custom
fields) per process and reads it again as soon as the organization's catalog revision moves:
a change made anywhere, by any process, shows on the next page."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, event, insert, select, update

from tests.conftest import NOW
from tests.factories import (
    create_booking,
    make_booking_type,
    make_field,
    make_organization,
    make_resource,
)
from tests.web.conftest import text
from webapp import create_app
from webapp.extensions import db
from webapp.models import (
    BookingType,
    CustomField,
    Organization,
    Resource,
    ResourceCategory,
    resource_types,
)
from webapp.public import catalog as cat

# -- the revision ---------------------------------------------------------------------------


def _rename_service(session, ids):
    session.get(BookingType, ids["type"]).name = "Renamed"


def _add_service(session, ids):
    make_booking_type(session, session.get(Organization, ids["org"]), name="New service")


def _delete_field(session, ids):
    session.delete(session.get(CustomField, ids["field"]))


def _add_category(session, ids):
    session.add(ResourceCategory(organization_id=ids["org"], name="East branch"))


def _stop_offering_a_service(session, ids):
    resource = session.get(Resource, ids["resource"])
    resource.booking_types = []
    return resource  # the caller keeps it until the commit


def _bulk_update(session, ids):
    session.execute(update(BookingType).where(BookingType.id == ids["type"]).values(minutes=45))


def _core_link_insert(session, ids):
    session.execute(delete(resource_types).where(resource_types.c.resource_id == ids["resource"]))
    session.execute(
        insert(resource_types).values(resource_id=ids["resource"], booking_type_id=ids["type"])
    )


CHANGES = [
    _rename_service,
    _add_service,
    _delete_field,
    _add_category,
    _stop_offering_a_service,
    _bulk_update,
    _core_link_insert,
]


@pytest.fixture
def clinic(any_app):
    with any_app.app_context():
        session = db.session
        organization = make_organization(session)
        service = make_booking_type(session, organization, name="Checkup")
        resource = make_resource(session, organization, service, name="Dr Huda")
        field = make_field(session, organization, "reason", name="Reason")
        session.commit()
        ids = {
            "org": organization.id,
            "type": service.id,
            "resource": resource.id,
            "field": field.id,
        }
    return any_app, ids


def _revision(app, organization_id: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Organization.catalog_revision).where(Organization.id == organization_id)
        )


@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__.strip("_"))
def test_every_catalog_change_raises_the_revision(clinic, change):
    app, ids = clinic
    before = _revision(app, ids["org"])

    with app.app_context():
        changed = change(db.session, ids)
        db.session.commit()
        del changed

    assert _revision(app, ids["org"]) > before


def test_a_change_rolled_back_leaves_the_revision(clinic):
    app, ids = clinic
    before = _revision(app, ids["org"])

    with app.app_context():
        _rename_service(db.session, ids)
        db.session.flush()
        db.session.rollback()

    assert _revision(app, ids["org"]) == before


def test_bookings_leave_the_revision_alone(clinic):
    app, ids = clinic
    before = _revision(app, ids["org"])

    with app.app_context():
        session = db.session
        create_booking(
            session,
            session.get(Organization, ids["org"]),
            session.get(BookingType, ids["type"]),
            start=NOW.replace(day=23),
            now=NOW,
            resource_id=ids["resource"],
        )
        session.commit()

    assert _revision(app, ids["org"]) == before


def test_one_organizations_change_leaves_anothers_revision(clinic):
    app, ids = clinic
    with app.app_context():
        other = make_organization(db.session).id
        db.session.commit()
    before = _revision(app, other)

    with app.app_context():
        _rename_service(db.session, ids)
        db.session.commit()

    assert _revision(app, other) == before


# -- the pages ------------------------------------------------------------------------------


@pytest.fixture
def statements(site):
    """The SQL statements the app runs, collected while the test runs."""
    seen: list[str] = []
    with site.app.app_context():
        engine = db.engine

    def collect(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", collect)
    yield seen
    event.remove(engine, "before_cursor_execute", collect)


def test_an_unchanged_catalog_is_read_once(site, statements):
    site.client.get(site.url("/"))
    first = len(statements)
    statements.clear()

    again = site.client.get(site.url("/"))

    assert again.status_code == 200
    assert "Consultation" in text(again)
    assert len(statements) < first
    assert not [s for s in statements if "FROM booking_types" in s]


def test_a_renamed_service_shows_on_the_next_page(site):
    assert "Consultation" in text(site.client.get(site.url("/")))

    site.update(BookingType, site.types["consultation"], name="Family consultation")

    assert "Family consultation" in text(site.client.get(site.url("/")))


def test_a_service_a_doctor_stops_offering_is_no_longer_offered(site):
    choice = {"resource": site.resources["huda"]}
    assert "Vaccination" in text(site.client.get(site.url("/book", **choice)))

    with site.db() as session:
        huda = session.get(Resource, site.resources["huda"])
        huda.booking_types = [t for t in huda.booking_types if t.name != "Vaccination"]
        session.commit()

    page = site.client.get(site.url("/book", **choice))
    assert "Vaccination" not in text(page)
    held = site.client.get(
        site.url("/book", type=site.types["vaccination"], resource=site.resources["huda"])
    )
    assert held.status_code == 404


def test_a_change_made_by_another_process_shows(site):
    assert "Consultation" in text(site.client.get(site.url("/")))
    # Another process: its own app, engine and catalog copies, on the same database.
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "another-process",
            "SQLALCHEMY_DATABASE_URI": site.app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )
    with other.app_context():
        db.session.get(BookingType, site.types["consultation"]).name = "Checkup"
        db.session.commit()
        db.engine.dispose()

    page = text(site.client.get(site.url("/")))

    assert "Checkup" in page
    assert "Consultation" not in page


def test_the_cache_keeps_the_organizations_seen_last(monkeypatch):
    reads: list[str] = []

    def read(_session, organization_id):
        reads.append(organization_id)
        return cat.Catalog([], [], [], [])

    monkeypatch.setattr(cat, "read_catalog", read)
    cache = cat.CatalogCache(size=2)
    engine = None  # never used: the read is replaced

    for organization_id in ["a", "b", "a", "c", "a", "b"]:
        cache.get(engine, organization_id, revision=1)
    cache.get(engine, "a", revision=2)

    # "b" was the least recently used when "c" came; "a" is read again at its new revision.
    assert reads == ["a", "b", "c", "b", "a"]
