"""Custom fields: owners and admins choose the questions the booking form asks about customers
and bookings; what they store is what the website asks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.admin.conftest import htmx, text
from tests.factories import make_field
from webapp.extensions import db
from webapp.models import CustomField, Organization
from webapp.public.fields import booking_specs, customer_specs


def _field(app, **where) -> CustomField | None:
    with app.app_context():
        return db.session.scalars(db.select(CustomField).filter_by(**where)).first()


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(CustomField))


def _add_field(app, clinic, key: str, **overrides) -> str:
    with app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        added = make_field(db.session, organization, key, **overrides)
        db.session.commit()
        return added.id


def _options(*rows) -> dict:
    """Option rows as the editor posts them: one list per column."""
    columns = ("value", "label", "label_ar", "minutes", "price")
    return {f"option_{name}": [row[i] for row in rows] for i, name in enumerate(columns)}


def _booking_form(**overrides) -> dict:
    values = {
        "key": "specialty",
        "name": "Specialty",
        "name_ar": "التخصص",
        "type": "options",
        "enabled": "1",
        "visibility": "public",
        "position": "2",
        **_options(
            ("pediatrics", "Pediatrics", "طب الأطفال", "", ""),
            ("dermatology", "Dermatology", "الجلدية", "", ""),
        ),
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


# -- the list ---------------------------------------------------------------------------------


def test_the_list_shows_both_kinds_of_fields_and_the_built_in_ones(
    app, owner, clinic, other_clinic
):
    _add_field(app, clinic, "reason", name="Reason for visit")
    _add_field(app, clinic, "trap", name="<script>alert(1)</script>")
    _add_field(app, other_clinic, "secret", name="Their private question")
    _add_field(app, clinic, "lastName", scope="customer", name="Family name", enabled=False)

    page = text(owner.get("/admin/fields"))

    assert "Booking fields" in page and "Customer fields" in page
    assert "Reason for visit" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "Their private question" not in page
    assert "Mobile number" in page and "Email" in page and "First name" in page
    assert "Family name" in page and "Off</span>" in page
    assert page.count("Built-in") == 4
    assert "/admin/fields/new?scope=customer&amp;key=phoneNumber" in page
    assert "Add a booking field" in page


# -- adding booking fields --------------------------------------------------------------------


def test_an_admin_adds_a_resource_filter_for_one_service(app, admin, clinic, nocsrf):
    response = admin.post(
        "/admin/fields/new?scope=booking",
        data=_booking_form(filter_resources="1", multiple="1", types=[clinic.type_id]),
    )

    assert response.status_code == 303
    added = _field(app, key="specialty")
    assert response.headers["Location"] == f"/admin/fields/{added.id}"
    assert added.organization_id == clinic.organization_id
    assert added.scope == "booking"
    assert added.name_translations == {"ar": "التخصص"}
    assert added.type == "options" and added.text_type is None
    assert added.options == [
        {"value": "pediatrics", "label": "Pediatrics", "label_translations": {"ar": "طب الأطفال"}},
        {"value": "dermatology", "label": "Dermatology", "label_translations": {"ar": "الجلدية"}},
    ]
    assert added.info == {"filterResources": True, "multiple": True}
    assert added.types == [clinic.type_id]
    assert added.optional is False and added.enabled is True
    assert added.visibility == "public" and added.position == 2


def test_options_that_add_time_and_price_make_a_time_adjuster(app, owner, clinic, nocsrf):
    owner.post(
        "/admin/fields/new?scope=booking",
        data=_booking_form(
            key="cleaningLevel",
            name="Cleaning level",
            optional="1",
            **_options(
                ("standard", "Standard", "عادي", "", ""),
                ("", "", "", "", ""),  # the empty row the "add" button left is ignored
                ("deep", "Deep cleaning", "", "15", "80"),
            ),
        ),
    )

    added = _field(app, key="cleaningLevel")
    assert added.options == [
        {"value": "standard", "label": "Standard", "label_translations": {"ar": "عادي"}},
        {
            "value": "deep",
            "label": "Deep cleaning",
            "label_translations": {},
            "minutes": 15,
            "price": "80.00",
        },
    ]
    assert added.adjusts_time and added.optional
    assert "Time adjuster" in text(owner.get("/admin/fields"))


def test_a_number_field_adds_minutes_and_price_per_unit(app, owner, clinic, nocsrf):
    owner.post(
        "/admin/fields/new?scope=booking",
        data={
            "key": "extraTeeth",
            "name": "Extra teeth",
            "type": "number",
            "minutes": "10",
            "price": "25",
            "min_value": "0",
            "max_value": "8",
            "placeholder": "0",
            "placeholder_ar": "٠",
            "enabled": "1",
            "visibility": "providerOnly",
            # settings of other types are not kept
            "text_type": "email",
            "content": "left over",
            **_options(("x", "X", "", "", "")),
        },
    )

    added = _field(app, key="extraTeeth")
    assert (added.minutes, added.price) == (10, Decimal("25.00"))
    assert added.info == {
        "min": 0,
        "max": 8,
        "placeholder": "0",
        "placeholderTranslations": {"ar": "٠"},
    }
    assert added.visibility == "providerOnly"
    assert added.text_type is None and added.options == []


def test_a_text_to_read_keeps_its_content_in_both_languages(app, owner, clinic, nocsrf):
    owner.post(
        "/admin/fields/new?scope=booking",
        data={
            "key": "aftercare",
            "name": "Before your treatment",
            "type": "paragraph-readonly",
            "content": "Eat a light meal first.",
            "content_ar": "تناول وجبة خفيفة أولاً.",
            "enabled": "1",
            "visibility": "public",
        },
    )

    added = _field(app, key="aftercare")
    assert added.info == {
        "content": "Eat a light meal first.",
        "contentTranslations": {"ar": "تناول وجبة خفيفة أولاً."},
    }
    assert added.optional is True  # nothing to answer


def test_editing_keeps_what_the_form_does_not_manage(app, owner, clinic, nocsrf):
    field_id = _add_field(
        app,
        clinic,
        "level",
        type="options",
        options=[{"value": "a", "label": "A"}],
        info={"multiple": True, "filterResources": True, "someIntegration": "kept"},
        condition={"field": "x"},
    )

    response = owner.post(
        f"/admin/fields/{field_id}",
        data={"key": "level", "name": "Level", "type": "text", "enabled": "1"},
    )

    assert response.status_code == 303
    edited = _field(app, id=field_id)
    assert edited.type == "text" and edited.options == []
    assert edited.info == {"someIntegration": "kept"}
    assert edited.condition == {"field": "x"}
    assert edited.visibility == "public"


def test_the_edit_page_shows_what_is_stored(app, owner, clinic, nocsrf):
    owner.post(
        "/admin/fields/new?scope=booking",
        data=_booking_form(filter_resources="1", types=[clinic.type_id]),
    )
    added = _field(app, key="specialty")

    page = text(owner.get(f"/admin/fields/{added.id}"))

    assert 'value="specialty"' in page and 'value="التخصص"' in page
    assert '<option value="options" selected>' in page
    assert 'name="option_value" value="dermatology"' in page
    assert 'name="option_label_ar" value="طب الأطفال"' in page
    assert 'name="filter_resources" type="checkbox" value="1" checked' in page
    assert f'value="{clinic.type_id}" checked' in page
    assert "Delete this field" in page


# -- customer fields and the phone and email rules ---------------------------------------------


def test_a_customer_phone_field_keeps_its_phone_rules(app, owner, clinic, nocsrf):
    response = owner.post(
        "/admin/fields/new?scope=customer",
        data={
            "key": "emergencyPhone",
            "name": "Emergency contact",
            "type": "text",
            "text_type": "phone",
            "phone_auth": "whatsapp,sms",
            "sms_sender": "custom",
            "default_country": "sa",
            "allowed_countries": "specific",
            "allowed_countries_list": "sa, ae KW",
            "forbidden_countries_list": "IL",  # not used with "specific", so not kept
            "optional": "1",
            "enabled": "1",
            "visibility": "public",
            "types": [clinic.type_id],  # customer fields are not limited to services
        },
    )

    assert response.status_code == 303
    added = _field(app, key="emergencyPhone")
    assert added.scope == "customer"
    assert added.text_type == "phone"
    assert added.phone_auth_methods == ["whatsapp", "sms"]
    assert added.sms_sender == "custom"
    assert added.default_country == "SA"
    assert added.allowed_countries == "specific"
    assert added.allowed_countries_list == ["SA", "AE", "KW"]
    assert added.forbidden_countries_list == []
    assert added.types == []


def test_a_built_in_field_is_first_saved_from_its_defaults(app, owner, clinic, nocsrf):
    form = owner.get("/admin/fields/new?scope=customer&key=phoneNumber")
    assert 'value="Mobile number"' in text(form)
    assert 'name="optional" type="checkbox" value="1" checked' in text(form)

    response = owner.post(
        "/admin/fields/new?scope=customer&key=phoneNumber",
        data={
            "key": "somethingElse",
            "name": "Mobile",
            "type": "number",
            "visibility": "providerOnly",
            "phone_auth": "whatsapp",
            "default_country": "SA",
            "allowed_countries": "forbidden",
            "forbidden_countries_list": "IL",
            "enabled": "1",
        },
    )

    assert response.status_code == 303
    phone = _field(app, scope="customer", key="phoneNumber")
    assert phone.name == "Mobile" and phone.optional is False
    assert (phone.type, phone.text_type, phone.visibility) == ("text", "phone", "public")
    assert phone.phone_auth_methods == ["whatsapp"]
    assert phone.forbidden_countries_list == ["IL"]
    assert _field(app, key="somethingElse") is None
    # The next visit edits the stored row.
    again = owner.get("/admin/fields/new?scope=customer&key=phoneNumber")
    assert again.headers["Location"] == f"/admin/fields/{phone.id}"


def test_a_switched_off_customer_field_leaves_the_booking_form(app, owner, clinic, nocsrf):
    owner.post(
        "/admin/fields/new?scope=customer&key=lastName",
        data={"name": "Family name", "optional": "1"},
    )

    with app.test_request_context("/"):
        rows = db.session.scalars(db.select(CustomField)).all()
        keys = [spec.key for spec in customer_specs(rows)]
    assert keys == ["firstName", "email", "phoneNumber"]


@pytest.mark.parametrize(
    ("rows", "posted", "field", "message"),
    [
        (
            [("phoneNumber", {"enabled": False, "optional": False})],
            ("email", {"name": "Email", "optional": None, "enabled": None}),
            "enabled",
            "The mobile number and the email cannot both be switched off.",
        ),
        (
            [],  # the mobile number is optional until the organization changes it
            ("email", {"name": "Email", "optional": "1", "enabled": "1"}),
            "optional",
            "The mobile number and the email cannot both be optional.",
        ),
        (
            [],
            ("email", {"name": "Email", "optional": None, "enabled": None}),
            "optional",
            "While the email is switched off, the mobile number is required.",
        ),
        (
            [("email", {"optional": True, "text_type": "email"})],
            ("phoneNumber", {"name": "Mobile", "optional": None, "enabled": None}),
            "optional",
            "While the mobile number is switched off, the email is required.",
        ),
    ],
    ids=["both-off", "both-optional", "email-off-phone-optional", "phone-off-email-optional"],
)
def test_customers_keep_a_required_mobile_number_or_email(
    app, owner, clinic, nocsrf, rows, posted, field, message
):
    for key, overrides in rows:
        _add_field(app, clinic, key, scope="customer", **overrides)
    key, data = posted
    before = _count(app)

    response = owner.post(
        f"/admin/fields/new?scope=customer&key={key}",
        data={k: v for k, v in data.items() if v is not None},
    )

    page = text(response)
    assert response.status_code == 422
    assert message in page
    assert f'id="{field}-error"' in page
    assert _count(app) == before


def test_the_email_may_be_switched_off_while_the_mobile_number_is_required(
    app, owner, clinic, nocsrf
):
    _add_field(app, clinic, "phoneNumber", scope="customer", optional=False, text_type="phone")

    response = owner.post(
        "/admin/fields/new?scope=customer&key=email", data={"name": "Email", "optional": "1"}
    )

    assert response.status_code == 303
    email = _field(app, key="email")
    assert email.enabled is False and email.text_type == "email"


def test_built_in_fields_cannot_be_deleted(app, owner, clinic, nocsrf):
    field_id = _add_field(app, clinic, "firstName", scope="customer")
    assert "Delete this field" not in text(owner.get(f"/admin/fields/{field_id}"))

    response = owner.post(f"/admin/fields/{field_id}/delete", headers=htmx())

    assert "cannot be deleted" in response.headers["HX-Trigger"]
    assert _field(app, id=field_id) is not None


def test_a_built_in_field_keeps_its_key(app, owner, clinic, nocsrf):
    field_id = _add_field(app, clinic, "firstName", scope="customer")

    owner.post(f"/admin/fields/{field_id}", data={"key": "givenName", "name": "Given name"})

    assert _field(app, id=field_id).key == "firstName"


# -- refused input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"key": "my key!"}, "key", "Start with a letter"),
        ({"key": ""}, "key", "This is required."),
        ({"name": ""}, "name", "This is required."),
        (
            _options(("a", "", "", "", ""), ("b", "B", "", "", "")),
            "option-0",
            "Give the option a label.",
        ),
        (_options(("", "Nameless", "", "", "")), "option-0", "Give the option a value."),
        (
            _options(("a", "A", "", "", ""), ("A", "Again", "", "", "")),
            "option-1",
            "Two options have this value.",
        ),
        (
            _options(
                ("a", "A", "", "-5", ""),
            ),
            "option-0",
            "Enter a number from 0 to 1440.",
        ),
        (_options(("a", "A", "", "", "cheap")), "option-0", "Enter an amount such as 150"),
        (_options(("", "", "", "", "")), "options", "Add at least one option."),
        (
            {"filter_resources": "1", **_options(("a", "A", "", "10", ""))},
            "filter_resources",
            "A resource filter cannot also add time or price",
        ),
        (
            {"multiple": "1", **_options(("a", "A", "", "", "5"))},
            "multiple",
            "allow one choice only",
        ),
        ({"types": ["not-a-service"]}, "types", "Choose from the offered values."),
        ({"type": "hologram"}, "type", "Choose one of the offered values."),
        ({"visibility": "everyone"}, "visibility", "Choose one of the offered values."),
        ({"type": "paragraph-readonly", "content": ""}, "content", "Write the text to show."),
        (
            {"type": "number", "min_value": "5", "max_value": "1"},
            "max_value",
            "The largest number cannot be below the smallest.",
        ),
        ({"type": "number", "minutes": "-10"}, "minutes", "Enter a number from 0 to 1440."),
        (
            {"type": "text", "text_type": "phone", "allowed_countries": "specific"},
            "allowed_countries_list",
            "List the countries to accept.",
        ),
        (
            {"type": "text", "text_type": "phone", "default_country": "XX"},
            "default_country",
            "Use a two-letter country code such as SA.",
        ),
        (
            {
                "type": "text",
                "text_type": "phone",
                "allowed_countries": "forbidden",
                "forbidden_countries_list": "SA, ZZ",
            },
            "forbidden_countries_list",
            "Not a country code: ZZ.",
        ),
        (
            {
                "type": "text",
                "text_type": "phone",
                "default_country": "SA",
                "allowed_countries": "specific",
                "allowed_countries_list": "AE",
            },
            "default_country",
            "The default country must be one of the accepted ones.",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and " " not in value else None,
)
def test_bad_input_comes_back_marked_with_422_and_nothing_is_saved(
    app, admin, clinic, nocsrf, overrides, field, message
):
    response = admin.post(
        "/admin/fields/new?scope=booking", data=_booking_form(**overrides), headers=htmx()
    )

    page = text(response)
    assert response.status_code == 422
    assert message in page
    assert f'id="{field}-error' in page or f'id="{field}-errors"' in page
    assert "Please correct the marked fields." in page
    assert _count(app) == 0


def test_a_key_is_used_once_per_kind_of_field(app, owner, clinic, nocsrf):
    _add_field(app, clinic, "specialty")

    taken = owner.post("/admin/fields/new?scope=booking", data=_booking_form())
    customer = owner.post("/admin/fields/new?scope=customer", data=_booking_form())

    assert taken.status_code == 422
    assert "Another field already uses this key." in text(taken)
    assert customer.status_code == 303
    assert _field(app, scope="customer", key="specialty") is not None


def test_a_key_taken_in_another_organization_is_free_here(app, owner, clinic, other_clinic, nocsrf):
    _add_field(app, other_clinic, "specialty")

    assert owner.post("/admin/fields/new?scope=booking", data=_booking_form()).status_code == 303


def test_a_bad_edit_changes_nothing(app, owner, clinic, nocsrf):
    field_id = _add_field(app, clinic, "reason", name="Reason", type="paragraph")

    response = owner.post(
        f"/admin/fields/{field_id}",
        data=_booking_form(key="reason", name="Why", **_options(("a", "", "", "", ""))),
    )

    assert response.status_code == 422
    assert 'value="Why"' in text(response)
    kept = _field(app, id=field_id)
    assert kept.name == "Reason" and kept.type == "paragraph" and kept.options == []


# -- the options editor -----------------------------------------------------------------------


def test_adding_and_removing_option_rows_saves_nothing(app, owner, clinic, nocsrf):
    added = owner.post("/admin/fields/new?scope=booking", data=_booking_form(op="add-option"))
    removed = owner.post(
        "/admin/fields/new?scope=booking", data=_booking_form(op="remove-option-0")
    )

    assert added.status_code == removed.status_code == 200
    assert text(added).count('name="option_value"') == 3
    assert 'value="pediatrics"' not in text(removed)
    assert 'value="dermatology"' in text(removed)
    assert "<html" in text(added)  # without JavaScript: the whole page
    assert _count(app) == 0


def test_with_htmx_the_options_editor_swaps_only_the_form(app, owner, clinic, nocsrf):
    response = owner.post(
        "/admin/fields/new?scope=booking",
        data=_booking_form(op="add-option"),
        headers=htmx(target="field-form"),
    )

    page = text(response)
    assert response.status_code == 200
    assert page.lstrip().startswith("<form") and "<html" not in page
    assert 'id="field-form"' in page
    assert page.count('name="option_value"') == 3
    add_button = 'value="add-option" class="button small" formnovalidate'
    assert f'{add_button} hx-post="/admin/fields/new?scope=booking"' in page
    assert 'hx-target="#field-form" hx-select="#field-form"' in page
    assert _count(app) == 0


def test_choosing_another_type_shows_its_settings(app, owner, clinic, nocsrf):
    response = owner.post(
        "/admin/fields/new?scope=booking",
        data={"key": "size", "name": "Size", "type": "number", "op": "refresh"},
        headers=htmx(target="field-form"),
    )

    page = text(response)
    assert 'name="minutes"' in page and 'name="min_value"' in page
    assert 'name="option_value"' not in page
    assert _count(app) == 0


# -- the website asks what was stored -----------------------------------------------------------


def test_a_resource_filter_added_here_is_asked_on_the_website(app, owner, clinic, nocsrf):
    owner.post(
        "/admin/fields/new?scope=booking",
        data=_booking_form(filter_resources="1", optional="1", types=[clinic.type_id]),
    )

    page = text(owner.get(f"/north-clinic/book?type={clinic.type_id}"))

    assert '<label for="f_specialty">Specialty</label>' in page
    assert '<option value="dermatology">Dermatology</option>' in page
    with app.test_request_context("/"):
        rows = db.session.scalars(db.select(CustomField)).all()
        (spec,) = booking_specs(rows, clinic.type_id, exclude_filters_and_adjusters=False)
        assert [choice.label for choice in spec.options] == ["Pediatrics", "Dermatology"]
        assert spec.multiple is False and spec.required is False


# -- who may -----------------------------------------------------------------------------------


def test_staff_may_not_see_or_change_custom_fields(app, staff, clinic, nocsrf):
    field_id = _add_field(app, clinic, "reason")

    assert staff.get("/admin/fields").status_code == 403
    assert staff.get("/admin/fields/new?scope=booking").status_code == 403
    assert staff.post("/admin/fields/new", data=_booking_form()).status_code == 403
    assert staff.get(f"/admin/fields/{field_id}").status_code == 403
    assert staff.post(f"/admin/fields/{field_id}/delete").status_code == 403
    assert _field(app, id=field_id) is not None


def test_another_organizations_field_answers_like_an_unknown_one(
    app, owner, clinic, other_clinic, nocsrf
):
    foreign_id = _add_field(app, other_clinic, "secret", name="Secret")

    foreign = owner.get(f"/admin/fields/{foreign_id}")
    unknown = owner.get("/admin/fields/nope")
    edit = owner.post(f"/admin/fields/{foreign_id}", data=_booking_form(key="secret"))
    delete = owner.post(f"/admin/fields/{foreign_id}/delete")

    assert foreign.status_code == unknown.status_code == edit.status_code == 404
    assert delete.status_code == 404
    assert _field(app, id=foreign_id).name == "Secret"


def test_an_unknown_scope_is_not_found(owner, clinic):
    assert owner.get("/admin/fields/new?scope=everything").status_code == 404


def test_a_field_is_deleted(app, owner, clinic, nocsrf):
    field_id = _add_field(app, clinic, "reason")

    response = owner.post(f"/admin/fields/{field_id}/delete")

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/fields"
    assert _field(app, id=field_id) is None
