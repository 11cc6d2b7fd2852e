"""Custom fields (manage) through the API: the customer list with its four core fields, the
booking list, replacing either in one PUT, and the seed's phone and email rules."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.api.management_setup import Desk, build_desk, error_of, field_of
from webapp.extensions import db
from webapp.models import CustomField

C = "/api/management/customFields/customer"
B = "/api/management/customFields/booking"
CORE = ["phoneNumber", "firstName", "lastName", "email"]


@pytest.fixture
def desk(app) -> Desk:
    return build_desk(app)


def _stored(desk, scope: str) -> dict[str, tuple]:
    with desk.app.app_context():
        rows = db.session.scalars(
            select(CustomField).where(
                CustomField.organization_id == desk.clinic.organization_id,
                CustomField.scope == scope,
            )
        )
        return {f.key: (f.name, f.enabled, f.optional, f.position) for f in rows}


def _core(key: str, **values) -> dict:
    names = {"phoneNumber": "Mobile", "firstName": "First", "lastName": "Last", "email": "Email"}
    return {"id": key, "name": names[key], "type": "text", **values}


def test_the_customer_fields_list_the_four_core_fields_before_any_change(desk):
    answer = desk.get(C, "staff")

    assert answer.status_code == 200
    fields = answer.get_json()["result"]
    assert [f["id"] for f in fields] == CORE
    phone = fields[0]
    assert phone["textType"] == "phone" and phone["optional"] is True
    assert phone["visibility"] == "public" and phone["enabled"] is True
    assert phone["phoneAuthMethods"] == [] and phone["allowedCountries"] == "all"
    assert fields[3]["textType"] == "email" and fields[3]["optional"] is False
    assert desk.get(C, lang="ar").get_json()["result"][1]["name"] == "الاسم الأول"


def test_put_replaces_the_customer_fields_in_the_order_sent(desk):
    sent = [
        _core("email", optional=True),
        _core("phoneNumber", optional=False, defaultCountry="SA", phoneAuthMethods=["whatsapp"]),
        {
            "id": "nationalId",
            "name": "National ID",
            "name_translations": {"ar": "رقم الهوية"},
            "type": "text",
            "optional": True,
            "visibility": "providerOnly",
            "info": {"placeholder": "10 digits"},
        },
    ]

    answer = desk.put(C, sent)

    assert answer.status_code == 200, answer.get_json()
    fields = answer.get_json()["result"]
    # The core fields left out keep their settings and follow the fields sent.
    assert [f["id"] for f in fields] == [
        "email",
        "phoneNumber",
        "nationalId",
        "firstName",
        "lastName",
    ]
    by_id = {f["id"]: f for f in fields}
    assert by_id["email"]["optional"] is True and by_id["phoneNumber"]["optional"] is False
    assert by_id["phoneNumber"]["defaultCountry"] == "SA"
    assert by_id["phoneNumber"]["phoneAuthMethods"] == ["whatsapp"]
    assert by_id["nationalId"]["visibility"] == "providerOnly"
    assert by_id["nationalId"]["info"]["placeholder"] == "10 digits"
    arabic = {f["id"]: f for f in desk.get(C, lang="ar").get_json()["result"]}
    assert arabic["nationalId"]["name"] == "رقم الهوية"
    assert arabic["nationalId"]["name_translations"] == {"en": "National ID", "ar": "رقم الهوية"}


@pytest.mark.parametrize(
    ("email", "phone", "field"),
    [
        ({"enabled": False}, {"enabled": False}, "enabled"),
        ({"optional": True}, {"optional": True}, "optional"),
        ({"enabled": False}, {"optional": True}, "optional"),
        ({"optional": True}, {"enabled": False}, "optional"),
    ],
)
def test_the_phone_and_email_rules_are_enforced_and_nothing_is_saved(desk, email, phone, field):
    before = _stored(desk, "customer")

    answer = desk.put(C, [_core("email", **email), _core("phoneNumber", **phone)])

    assert answer.status_code == 422, answer.get_json()
    assert field_of(answer) in (f"[0].{field}", f"[1].{field}")
    assert error_of(answer)["message"]
    assert _stored(desk, "customer") == before


def test_one_put_may_swap_which_of_phone_and_email_is_required(desk):
    first = desk.put(C, [_core("phoneNumber", optional=False), _core("email", optional=True)])
    second = desk.put(C, [_core("phoneNumber", optional=True), _core("email", optional=False)])

    assert first.status_code == second.status_code == 200
    stored = _stored(desk, "customer")
    assert stored["phoneNumber"][2] is True and stored["email"][2] is False


def test_a_rule_broken_against_the_stored_fields_is_refused_too(desk):
    desk.put(C, [_core("email", enabled=False), _core("phoneNumber", optional=False)])

    answer = desk.put(C, [_core("phoneNumber", optional=True)])

    assert answer.status_code == 422 and field_of(answer) == "[0].optional"


def test_put_replaces_the_booking_fields(desk):
    first = [
        {
            "id": "specialty",
            "name": "Specialty",
            "type": "options",
            "visibility": "public",
            "info": {"filterResources": True},
            "options": [
                {
                    "value": "pediatrics",
                    "label": "Pediatrics",
                    "label_translations": {"ar": "أطفال"},
                },
                {"value": "general", "label": "General"},
            ],
        },
        {
            "id": "guests",
            "name": "Guests",
            "type": "number",
            "visibility": "public",
            "minutes": 15,
            "price": "20.00",
            "types": [desk.clinic.type_id],
            "info": {"min": 0, "max": 4},
        },
        {"id": "reason", "name": "Reason for visit", "type": "paragraph", "optional": True},
    ]

    answer = desk.put(B, first)

    assert answer.status_code == 200, answer.get_json()
    fields = answer.get_json()["result"]
    assert [f["id"] for f in fields] == ["specialty", "guests", "reason"]
    specialty, guests, reason = fields
    assert specialty["info"] == {"filterResources": True, "multiple": False}
    assert specialty["options"][0] == {
        "value": "pediatrics",
        "label": "Pediatrics",
        "label_translations": {"en": "Pediatrics", "ar": "أطفال"},
        "minutes": None,
        "price": None,
    }
    assert guests["minutes"] == 15 and guests["price"] == "20.00"
    assert guests["types"] == [desk.clinic.type_id]
    assert guests["info"] == {"filterResources": False, "min": 0, "max": 4}
    assert reason["visibility"] == "providerOnly"  # the seed's default
    arabic = desk.get(B, "staff", lang="ar").get_json()["result"]
    assert arabic[0]["options"][0]["label"] == "أطفال"

    again = desk.put(B, [fields[2], fields[0]])

    assert [f["id"] for f in again.get_json()["result"]] == ["reason", "specialty"]
    assert set(_stored(desk, "booking")) == {"reason", "specialty"}
    # What was read can be sent back unchanged.
    assert desk.put(B, again.get_json()["result"]).get_json() == again.get_json()


def test_a_time_adjuster_set_here_is_offered_by_the_public_api(desk):
    desk.put(
        B,
        [
            {
                "id": "teeth",
                "name": "Teeth",
                "type": "number",
                "visibility": "public",
                "minutes": 10,
                "types": [desk.clinic.type_id],
            }
        ],
    )

    public = desk.client.get(
        "/api/customFields/timeAdjusters",
        query_string={"type": desk.clinic.type_id},
        headers={"X-APP-ID": desk.clinic.app_id},
    )

    assert public.status_code == 200
    assert [f["id"] for f in public.get_json()["result"]] == ["teeth"]


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ([{"name": "No id", "type": "text"}], "[0].id"),
        ([{"id": "x", "type": "text"}], "[0].name"),
        ([{"id": "x", "name": "X"}], "[0].type"),
        ([{"id": "x", "name": "X", "type": "slider"}], "[0].type"),
        ([{"id": "x", "name": "X", "type": "text", "textType": "url"}], "[0].textType"),
        ([{"id": "x", "name": "X", "type": "options"}], "[0].options"),
        (
            [{"id": "x", "name": "X", "type": "options", "options": [{"value": "a"}]}],
            "[0].options[0].label",
        ),
        ([{"id": "x", "name": "X", "type": "text", "visibility": "all"}], "[0].visibility"),
        ([{"id": "x", "name": "X", "type": "number", "price": "ten"}], "[0].price"),
        ([{"id": "x", "name": "X", "type": "text", "types": ["nosuchtype"]}], "[0].types"),
        ([{"id": "1x", "name": "X", "type": "text"}], "[0].id"),
        (
            [{"id": "x", "name": "X", "type": "text"}, {"id": "x", "name": "Y", "type": "text"}],
            "[1].id",
        ),
        ([{"id": "x", "name": "X", "type": "text", "info": {"colour": "red"}}], "[0].info.colour"),
        ([{"id": "x", "name": "X", "type": "text", "condition": "always"}], "[0].condition"),
        ([{"id": "x", "name": "X", "type": "text", "mandatory": True}], "[0].mandatory"),
        (
            [
                {
                    "id": "x",
                    "name": "X",
                    "type": "options",
                    "options": [{"value": "a", "label": "A", "minutes": 5}],
                    "info": {"filterResources": True},
                }
            ],
            "[0].info.filterResources",
        ),
        (["text"], "[0]"),
        ({"fields": []}, "body"),
    ],
)
def test_bad_booking_fields_are_refused_naming_the_field_and_nothing_is_saved(desk, sent, field):
    desk.put(B, [{"id": "reason", "name": "Reason", "type": "text"}])

    answer = desk.put(B, sent)

    assert answer.status_code == 422, answer.get_json()
    assert field_of(answer) == field and error_of(answer)["message"]
    assert set(_stored(desk, "booking")) == {"reason"}


def test_a_type_of_another_organization_cannot_be_named(desk):
    answer = desk.put(B, [{"id": "x", "name": "X", "type": "text", "types": [desk.other.type_id]}])

    assert answer.status_code == 422 and field_of(answer) == "[0].types"


@pytest.mark.parametrize("path", [C, B])
@pytest.mark.parametrize("who", [None, "mwd_nope", "mwa_nope", "south_key", "south_admin"])
def test_without_a_valid_credential_of_this_organization_the_answer_is_401(desk, path, who):
    assert desk.get(path, who).status_code == 401
    assert desk.put(path, [], who).status_code == 401


@pytest.mark.parametrize("path", [C, B])
def test_a_staff_member_reads_but_may_not_replace_fields(desk, path):
    answer = desk.put(path, [], "staff")

    assert answer.status_code == 403 and error_of(answer)["code"] == "FORBIDDEN"
    assert desk.get(path, "staff").status_code == 200


def test_fields_of_another_organization_are_neither_read_nor_replaced(desk):
    south = build_south_fields(desk)

    north = desk.put(B, [{"id": "reason", "name": "Reason", "type": "text"}], "key")

    assert north.status_code == 200
    assert [f["id"] for f in desk.get(B).get_json()["result"]] == ["reason"]
    assert set(_stored_of(desk, desk.other.organization_id)) == south


def build_south_fields(desk) -> set[str]:
    headers = {
        "X-APP-ID": desk.other.app_id,
        "Authorization": f"Bearer {desk.credentials['south_key']}",
    }
    answer = desk.client.put(
        B, json=[{"id": "allergies", "name": "Allergies", "type": "text"}], headers=headers
    )
    assert answer.status_code == 200
    return {"allergies"}


def _stored_of(desk, organization_id: str) -> set[str]:
    with desk.app.app_context():
        return set(
            db.session.scalars(
                select(CustomField.key).where(
                    CustomField.organization_id == organization_id, CustomField.scope == "booking"
                )
            )
        )
