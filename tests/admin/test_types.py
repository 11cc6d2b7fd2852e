"""Services (booking types): owners and admins set what customers book, for how long, at
what price and with whom; staff members may not change them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.admin.conftest import htmx, text
from tests.conftest import NOW
from tests.factories import at, create_booking, make_field
from webapp.extensions import db
from webapp.models import BookingType, CustomField, Organization, Resource


def _type(app, **where) -> BookingType | None:
    with app.app_context():
        return db.session.scalars(db.select(BookingType).filter_by(**where)).first()


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(BookingType))


def _offered_by(app, type_id: str) -> set[str]:
    with app.app_context():
        resources = db.session.scalars(db.select(Resource)).all()
        return {r.name for r in resources if any(t.id == type_id for t in r.booking_types)}


def _form(**overrides) -> dict:
    """A complete, valid service form."""
    values = {
        "name": "Teeth whitening",
        "name_ar": "تبييض الأسنان",
        "description": "A brighter smile in one visit.",
        "description_ar": "ابتسامة أنصع في زيارة واحدة.",
        "minutes": "45",
        "leave_minutes_before": "5",
        "leave_minutes_after": "10",
        "category": "Cosmetic",
        "color": "#C0FFEE",
        "on": "1",
        "price": "150",
        "old_price": "200.5",
        "price_increase": "10",
        "price_increase_days": "2",
        "deposit_amount": "50",
        "deposit_percentage": "",
        "time_mode": "custom",
        "time_flags": ["showOclock", "showQuarterHour", "showInBetweenSlots"],
        "show_fixed_times": "800, 1230",
        "auto_confirm": "1",
        "payment_methods": ["creditCard", "manual"],
        "book_from_website": "1",
        "position": "3",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def _book(app, clinic, type_id: str) -> None:
    with app.app_context():
        create_booking(
            db.session,
            db.session.get(Organization, clinic.organization_id),
            db.session.get(BookingType, type_id),
            start=at("2026-11-22 09:00"),
            now=NOW,
            resource_id=clinic.own_resource_id,
        )
        db.session.commit()


# -- the list ---------------------------------------------------------------------------------


def test_the_list_shows_each_service_with_colour_duration_price_status_and_resources(
    app, owner, clinic, other_clinic, nocsrf
):
    owner.post(
        "/admin/types/new",
        data=_form(resource_ids=[clinic.other_resource_id], auto_confirm=None, on=None),
    )

    page = text(owner.get("/admin/types"))

    assert "Checkup" in page and "Teeth whitening" in page
    assert "background-color: #2a7ab0" in page and "background-color: #c0ffee" in page
    assert "45 min" in page
    assert "SAR150.00" in page and "SAR200.50" in page
    assert "Deposit SAR50.00" in page
    assert "Off</span>" in page and "Needs approval" in page
    assert "Dr Omar, Dr Salma" in page  # who offers the checkup
    assert other_clinic.type_id not in page
    assert "Add a service" in page


def test_the_list_speaks_the_organizations_currency(app, owner, clinic):
    with app.app_context():
        db.session.get(Organization, clinic.organization_id).currency = "AED"
        db.session.get(BookingType, clinic.type_id).price = Decimal("99.50")
        db.session.commit()

    assert "AED" in text(owner.get("/admin/types"))


# -- adding and editing -----------------------------------------------------------------------


def test_an_admin_adds_a_service_with_every_field(app, admin, clinic, nocsrf):
    response = admin.post("/admin/types/new", data=_form(resource_ids=[clinic.own_resource_id]))

    assert response.status_code == 303
    added = _type(app, name="Teeth whitening")
    assert response.headers["Location"] == f"/admin/types/{added.id}"
    assert added.organization_id == clinic.organization_id
    assert added.name_translations == {"ar": "تبييض الأسنان"}
    assert added.description == "A brighter smile in one visit."
    assert added.description_translations == {"ar": "ابتسامة أنصع في زيارة واحدة."}
    assert (added.minutes, added.leave_minutes_before, added.leave_minutes_after) == (45, 5, 10)
    assert added.category == "Cosmetic"
    assert added.color == "#c0ffee"
    assert added.on and added.auto_confirm and added.book_from_website
    assert added.price == Decimal("150.00")
    assert added.old_price == Decimal("200.50")
    assert added.price_increase == Decimal("10.00")
    assert added.price_increase_days == 2
    assert added.deposit_amount == Decimal("50.00")
    assert added.deposit_percentage is None
    assert added.time_options == {
        "showOclock": True,
        "showHalfHour": False,
        "showThirdHour": False,
        "showQuarterHour": True,
        "showSixthHour": False,
        "showInBetweenSlots": True,
        "showAfterMidnight": False,
        "showFixedTimes": "800,1230",
    }
    assert added.payment_methods == ["manual", "creditCard"]
    assert added.position == 3
    assert _offered_by(app, added.id) == {"Dr Salma"}


def test_the_edit_page_shows_what_is_stored(app, owner, clinic, nocsrf):
    owner.post("/admin/types/new", data=_form(resource_ids=[clinic.own_resource_id]))
    added = _type(app, name="Teeth whitening")

    page = text(owner.get(f"/admin/types/{added.id}"))

    assert 'value="Teeth whitening"' in page
    assert 'value="تبييض الأسنان"' in page
    assert 'type="color" value="#c0ffee"' in page
    assert 'name="time_mode" value="custom" checked' in page
    assert 'value="showQuarterHour" checked' in page
    assert 'value="800,1230"' in page
    assert 'value="creditCard" checked' in page
    assert f'value="{clinic.own_resource_id}" checked' in page
    assert f'value="{clinic.other_resource_id}" checked' not in page
    assert "Delete this service" in page


def test_editing_a_service_changes_its_fields_and_who_offers_it(app, owner, clinic, nocsrf):
    response = owner.post(
        f"/admin/types/{clinic.type_id}",
        data=_form(
            name="Checkup and cleaning",
            name_ar="",
            time_mode="website",
            deposit_amount="",
            deposit_percentage="25",
            price_increase="",
            price_increase_days="",
            old_price="",
            payment_methods=[],
            auto_confirm=None,
            book_from_website=None,
            category="",
            resource_ids=[clinic.other_resource_id],
        ),
    )

    assert response.status_code == 303
    edited = _type(app, id=clinic.type_id)
    assert edited.name == "Checkup and cleaning"
    assert edited.name_translations == {}
    assert edited.time_options == {}
    assert edited.deposit_amount is None
    assert edited.deposit_percentage == Decimal("25.00")
    assert edited.price_increase is None and edited.price_increase_days is None
    assert edited.old_price is None
    assert edited.payment_methods == []
    assert edited.category is None
    assert not edited.auto_confirm and not edited.book_from_website
    assert _offered_by(app, clinic.type_id) == {"Dr Omar"}


def test_an_htmx_save_answers_with_a_toast_and_where_to_go(admin, clinic, nocsrf):
    response = admin.post(
        f"/admin/types/{clinic.type_id}", data=_form(name="Full checkup"), headers=htmx()
    )

    assert response.status_code == 200
    assert "Full checkup is saved." in response.headers["HX-Trigger"]
    assert response.headers["HX-Location"] == f"/admin/types/{clinic.type_id}"


def test_a_new_service_offered_by_a_resource_is_on_the_website(app, owner, clinic, nocsrf):
    owner.post(
        "/admin/types/new",
        data=_form(
            time_mode="website",
            price_increase="",
            price_increase_days="",
            resource_ids=[clinic.own_resource_id],
        ),
    )
    hidden = _form(name="Night shift", time_mode="website", resource_ids=[])
    owner.post("/admin/types/new", data=hidden)
    added = _type(app, name="Teeth whitening")

    home = text(owner.get("/north-clinic/"))
    times = owner.get(f"/north-clinic/book?type={added.id}&resource={clinic.own_resource_id}")

    assert "Teeth whitening</a>" in home
    assert "45 minutes" in home
    assert "SAR150.00" in home and "Deposit SAR50.00" in home
    assert "Night shift" not in home  # no resource offers it
    assert times.status_code == 200


# -- refused input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"minutes": "-30"}, "minutes", "Enter a number from 1 to 20160."),
        ({"minutes": "0"}, "minutes", "Enter a number from 1 to 20160."),
        ({"minutes": ""}, "minutes", "This is required."),
        ({"leave_minutes_before": "-5"}, "leave_minutes_before", "Enter a number from 0"),
        ({"name": "  "}, "name", "This is required."),
        ({"color": "red"}, "color", "Choose a colour such as #2a7ab0."),
        ({"color": "#12345g"}, "color", "Choose a colour such as #2a7ab0."),
        (
            {"deposit_percentage": "20"},
            "deposit_percentage",
            "Ask for a deposit amount or a percentage, not both.",
        ),
        (
            {"deposit_amount": "", "deposit_percentage": "120"},
            "deposit_percentage",
            "Enter a percentage above 0 and at most 100.",
        ),
        (
            {"deposit_amount": "500"},
            "deposit_amount",
            "The deposit cannot be more than the price.",
        ),
        (
            {"price": "", "old_price": ""},
            "deposit_amount",
            "A deposit is part of the price",
        ),
        ({"price": "-1"}, "price", "Enter an amount from 0"),
        ({"price": "lots"}, "price", "Enter an amount such as 150 or 99.50."),
        (
            {"price_increase_days": ""},
            "price_increase_days",
            "Give both the percentage and the number of days, or neither.",
        ),
        (
            {"time_flags": [], "show_fixed_times": ""},
            "time_options",
            "Turn on at least one kind of start time",
        ),
        (
            {"show_fixed_times": "8am"},
            "time_options",
            "Write fixed times as 24-hour times",
        ),
        ({"show_fixed_times": "2575"}, "time_options", "Fixed times must be real times"),
        ({"payment_methods": ["cash"]}, "payment_methods", "Choose from the offered values."),
        ({"resource_ids": ["not-a-resource"]}, "resource_ids", "Choose from the offered"),
    ],
    ids=lambda value: value if isinstance(value, str) and " " not in value else None,
)
def test_bad_input_comes_back_marked_with_422_and_nothing_is_saved(
    app, admin, clinic, nocsrf, overrides, field, message
):
    response = admin.post("/admin/types/new", data=_form(**overrides), headers=htmx())

    page = text(response)
    assert response.status_code == 422
    assert message in page
    assert f'id="{field}-error"' in page
    assert "Please correct the marked fields." in page
    assert _count(app) == 1


def test_every_problem_is_marked_at_once_and_the_service_is_unchanged(app, owner, clinic, nocsrf):
    response = owner.post(
        f"/admin/types/{clinic.type_id}",
        data=_form(minutes="-1", color="blue", deposit_percentage="10", name="Renamed"),
    )

    page = text(response)
    assert response.status_code == 422
    for field in ("minutes", "color", "deposit_percentage"):
        assert f'id="{field}-error"' in page
    assert 'value="Renamed"' in page  # what was typed comes back
    unchanged = _type(app, id=clinic.type_id)
    assert unchanged.name == "Checkup" and unchanged.minutes == 30


def test_another_organizations_resource_cannot_offer_the_service(
    app, owner, clinic, other_clinic, nocsrf
):
    response = owner.post(
        "/admin/types/new", data=_form(resource_ids=[other_clinic.own_resource_id])
    )

    assert response.status_code == 422
    assert _count(app) == 2  # the two clinics' checkups only
    assert _offered_by(app, other_clinic.type_id) == {"Dr Salma", "Dr Omar"}


# -- who may -----------------------------------------------------------------------------------


def test_staff_may_not_see_or_change_services(staff, clinic, nocsrf):
    assert staff.get("/admin/types").status_code == 403
    assert staff.get("/admin/types/new").status_code == 403
    assert staff.get(f"/admin/types/{clinic.type_id}").status_code == 403
    assert staff.post(f"/admin/types/{clinic.type_id}", data=_form()).status_code == 403
    assert staff.post(f"/admin/types/{clinic.type_id}/delete").status_code == 403


def test_the_menu_offers_services_to_admins_only(owner, staff, clinic):
    assert 'href="/admin/types"' in text(owner.get("/admin/resources"))
    assert 'href="/admin/types"' not in text(staff.get("/admin/resources"))


def test_another_organizations_service_answers_like_an_unknown_one(
    app, owner, clinic, other_clinic, nocsrf
):
    foreign = owner.get(f"/admin/types/{other_clinic.type_id}")
    unknown = owner.get("/admin/types/nope")
    edit = owner.post(f"/admin/types/{other_clinic.type_id}", data=_form(name="Mine now"))
    delete = owner.post(f"/admin/types/{other_clinic.type_id}/delete")

    assert foreign.status_code == unknown.status_code == edit.status_code == 404
    assert delete.status_code == 404
    kept = _type(app, id=other_clinic.type_id)
    assert kept.name == "Checkup" and kept.on


# -- deleting or switching off ----------------------------------------------------------------


def test_a_service_never_booked_is_deleted_everywhere(app, owner, clinic, nocsrf):
    with app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        make_field(db.session, organization, "tooth", types=[clinic.type_id])
        make_field(db.session, organization, "notes", types=[clinic.type_id, "other-type"])
        db.session.commit()

    response = owner.post(f"/admin/types/{clinic.type_id}/delete")

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/types"
    assert _type(app, id=clinic.type_id) is None
    assert _offered_by(app, clinic.type_id) == set()
    with app.app_context():
        fields = {f.key: f for f in db.session.scalars(db.select(CustomField))}
        # A question for that service only is switched off, not widened to every service.
        assert fields["tooth"].types == [] and fields["tooth"].enabled is False
        assert fields["notes"].types == ["other-type"] and fields["notes"].enabled


def test_a_booked_service_is_kept_and_switched_off(app, owner, clinic, nocsrf):
    _book(app, clinic, clinic.type_id)
    page = text(owner.get(f"/admin/types/{clinic.type_id}"))
    assert "Switch this service off" in page and "Delete this service" not in page

    response = owner.post(f"/admin/types/{clinic.type_id}/delete", headers=htmx())

    assert "has bookings" in response.headers["HX-Trigger"]
    assert response.headers["HX-Location"] == f"/admin/types/{clinic.type_id}"
    kept = _type(app, id=clinic.type_id)
    assert kept is not None and kept.on is False
    assert _offered_by(app, clinic.type_id) == {"Dr Salma", "Dr Omar"}
    assert "Checkup" not in text(owner.get("/north-clinic/"))
