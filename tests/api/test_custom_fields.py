"""Public custom fields through the API (seed 002): the questions Shifa Clinic asks before
the times, after them and about the customer, as its website asks them, in English or
Arabic; questions for staff, switched-off ones and the business next door's never show."""

from __future__ import annotations

import pytest

from tests.api.shifa import Api, api_for, error, result
from tests.factories import make_field
from webapp.models import CustomField, Organization


@pytest.fixture
def api(any_app) -> Api:
    api = api_for(any_app, "Shifa Clinic")
    with api.site.db() as session:
        organization = session.get(Organization, api.site.organization_id)
        consultation = api.site.types["consultation"]
        make_field(
            session,
            organization,
            "reason",
            name="Reason for visit",
            name_translations={"ar": "سبب الزيارة"},
            type="paragraph",
            optional=True,
            info={"placeholder": "Tell us more", "placeholder_translations": {"ar": "أخبرنا"}},
        )
        make_field(session, organization, "triage", name="Triage notes", visibility="providerOnly")
        make_field(session, organization, "old", name="Old question", enabled=False)
        make_field(
            session,
            organization,
            "guests",
            name="Guests",
            type="number",
            minutes=15,
            price=20,
            optional=True,
            types=[consultation],
            info={"min": 0, "max": 4},
        )
        make_field(
            session,
            organization,
            "seniority",
            name="Seniority",
            type="options",
            visibility="providerOnly",
            info={"filterResources": True},
            options=[{"value": "senior", "label": "Senior"}],
        )
        make_field(
            session,
            organization,
            "insurer",
            scope="customer",
            name="Insurance company",
            name_translations={"ar": "شركة التأمين"},
            optional=True,
        )
        make_field(session, organization, "vip", scope="customer", visibility="providerOnly")
        make_field(
            session,
            organization,
            "lastName",
            scope="customer",
            name="Family name",
            enabled=False,
        )
        make_field(
            session,
            organization,
            "phoneNumber",
            scope="customer",
            name="Mobile",
            text_type="phone",
            optional=False,
            phone_auth_methods=["whatsapp", "sms"],
            default_country="SA",
            allowed_countries="specific",
            allowed_countries_list=["sa", "ae"],
        )
        session.commit()
    return api


@pytest.fixture
def next_door(any_app) -> Api:
    return api_for(any_app, "Noor Dental")


def ids(fields) -> list[str]:
    return [f["id"] for f in fields]


def test_resource_filters_are_the_public_ones_with_arabic_labels(api):
    api.site.update(
        CustomField,
        api.site.fields["specialty"],
        name_translations={"ar": "التخصص"},
        options=[
            {"value": "pediatrics", "label": "Pediatrics", "label_translations": {"ar": "أطفال"}},
            {"value": "dermatology", "label": "Dermatology"},
        ],
    )

    english = result(api.get("/api/customFields/resourceFilters"))
    arabic = result(api.get("/api/customFields/resourceFilters", lang="ar"))
    for_type = api.get(f"/api/customFields/resourceFilters?type={api.site.types['vaccination']}")

    assert ids(english) == ["specialty"] == ids(result(for_type))  # "seniority" is for staff
    specialty = english[0]
    assert specialty["type"] == "options" and specialty["optional"] is True
    assert specialty["visibility"] == "public" and specialty["enabled"] is True
    assert specialty["info"] == {"filterResources": True, "multiple": False}
    assert [o["value"] for o in specialty["options"]] == ["pediatrics", "dermatology"]
    assert arabic[0]["name"] == "التخصص"
    assert [o["label"] for o in arabic[0]["options"]] == ["أطفال", "Dermatology"]


def test_time_adjusters_belong_to_their_service(api):
    consultation = api.site.types["consultation"]

    found = result(api.get(f"/api/customFields/timeAdjusters?type={consultation}"))
    vaccination = api.get(f"/api/customFields/timeAdjusters?type={api.site.types['vaccination']}")

    assert ids(found) == ["extras", "guests"]
    extras, guests = found
    assert extras["options"][1] == {
        "value": "xray",
        "label": "With an X-ray",
        "minutes": 30,
        "price": "100.00",
    }
    assert (guests["minutes"], guests["price"], guests["types"]) == (15, "20.00", [consultation])
    assert guests["info"] == {"filterResources": False, "min": 0, "max": 4}
    assert result(vaccination) == []


def test_booking_information_leaves_out_filters_adjusters_and_staff_questions(api):
    consultation = api.site.types["consultation"]

    english = result(api.get(f"/api/customFields/bookingInfo?type={consultation}"))
    arabic = result(api.get(f"/api/customFields/bookingInfo?type={consultation}", lang="ar"))

    assert ids(english) == ["reason"]
    assert english[0]["name"] == "Reason for visit" and english[0]["type"] == "paragraph"
    assert english[0]["info"]["placeholder"] == "Tell us more"
    assert arabic[0]["name"] == "سبب الزيارة" and arabic[0]["info"]["placeholder"] == "أخبرنا"


def test_customer_fields_keep_the_core_ones_the_business_left_on(api):
    found = result(api.get("/api/customFields/customer"))
    arabic = result(api.get("/api/customFields/customer", lang="ar"))

    # lastName is switched off and "vip" is for staff.
    assert ids(found) == ["firstName", "email", "insurer", "phoneNumber"]
    phone = found[-1]
    assert phone["textType"] == "phone" and phone["optional"] is False
    assert phone["phoneAuthMethods"] == ["whatsapp", "sms"]
    assert phone["defaultCountry"] == "SA"
    assert (phone["allowedCountries"], phone["allowedCountriesList"]) == ("specific", ["SA", "AE"])
    assert found[1]["textType"] == "email" and "phoneAuthMethods" not in found[1]
    assert [f["name"] for f in arabic][2] == "شركة التأمين"


def test_a_service_is_required_where_the_seed_asks_for_one(api, next_door):
    for kind in ("timeAdjusters", "bookingInfo"):
        missing = error(api.get(f"/api/customFields/{kind}"), 422)
        assert missing["details"] == {"field": "type"}
        unknown = error(api.get(f"/api/customFields/{kind}?type=nope"), 404)
        foreign_id = next_door.site.types["consultation"]
        foreign = error(api.get(f"/api/customFields/{kind}?type={foreign_id}"), 404)
        assert unknown == foreign and unknown["code"] == "INVALID_SERVICE"
    unknown_customer = api.get("/api/customFields/customer?type=nope")
    assert error(unknown_customer, 404)["code"] == "INVALID_SERVICE"


def test_another_website_never_shows_this_ones_questions(api, next_door):
    consultation = next_door.site.types["consultation"]

    booking = result(next_door.get(f"/api/customFields/bookingInfo?type={consultation}"))
    customer = result(next_door.get("/api/customFields/customer"))

    assert booking == []
    assert ids(customer) == ["firstName", "lastName", "email", "phoneNumber"]
    assert error(api.client.get("/api/customFields/customer"), 404)["details"] == {
        "header": "X-APP-ID"
    }
