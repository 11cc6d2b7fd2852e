"""Seed 002's "Doctors Appointments App", driven through HTTP only: a patient picks a
clinic, filters doctors, picks a doctor, an appointment type and a time, answers the
questions, signs in with a one-time code and books; the doctor's app then sees it."""

from __future__ import annotations

import re

import pytest

from tests.api.shifa import api_for
from webapp.auth import tokens
from webapp.extensions import db
from webapp.models import Member


@pytest.fixture
def clinic(app):
    app.config.update(MESSAGES_CAPTURE=[], RATELIMIT_ENABLED=False)
    return api_for(app, "shifa")


def _result(answer, status=200):
    assert answer.status_code == status, answer.get_json()
    return answer.get_json()["result"]


def test_a_patient_books_a_doctor_the_way_the_seed_describes(app, clinic):
    post, get = clinic.post, clinic.get

    # 1. The clinics (resource categories) with their doctors.
    categories = _result(post("/api/availability/resourceCategories", {}))
    north = next(c for c in categories if c["name"] == "North branch")

    # 2. The doctors' filters, and 3. the doctors of that clinic who match them.
    filters = _result(get("/api/customFields/resourceFilters"))
    specialty = next(f for f in filters if f["id"] == "specialty")
    assert {o["value"] for o in specialty["options"]} == {"pediatrics", "dermatology"}
    doctors = _result(
        post(
            "/api/availability/resources",
            {
                "resourceFilters": {"category": north["id"]},
                "resourceFiltersCustomFields": {"specialty": "pediatrics"},
            },
        )
    )
    assert [d["name"] for d in doctors] == ["Dr Huda"]
    doctor = doctors[0]

    # 4. "Book now": the doctor's appointment types.
    types = _result(
        post("/api/availability/types", {"resourceFilters": {"resource": doctor["id"]}})
    )
    consultation = next(t for t in types if t["name"] == "Consultation")

    # 5. A date and a time.
    days = _result(
        post(
            "/api/availability/times",
            {"type": consultation["id"], "resourceFilters": {"resource": doctor["id"]}},
        )
    )
    first_day = days[0]
    slot = first_day["times"][0]
    assert doctor["id"] in slot["resources"]

    # 6. The appointment's questions and the patient's own fields, then sign in and book.
    booking_fields = _result(get(f"/api/customFields/bookingInfo?type={consultation['id']}"))
    customer_fields = _result(get("/api/customFields/customer"))
    assert any(f["id"] == "email" for f in customer_fields)
    answers = {f["id"]: f["options"][0]["value"] for f in booking_fields if f.get("options")}

    identity = {"method": "email", "email": "patient@example.com"}
    _result(post("/api/auth/otp/request", identity))
    code = re.search(r"\b(\d{6})\b", app.config["MESSAGES_CAPTURE"][-1]["text"]).group(1)
    signed_in = _result(post("/api/auth/otp/verify", {**identity, "code": code}))
    patient = {"Authorization": f"Bearer {signed_in['accessToken']}"}

    booking = _result(
        clinic.client.put(
            "/api/customer/scheduling/new",
            json={
                "type": consultation["id"],
                "date": first_day["date"],
                "time": slot["time"],
                "resourceFilters": {"resource": doctor["id"]},
                "bookingInfoCustomFields": answers,
                "customerCustomFields": {"firstName": "Nour", "lastName": "Saleh"},
            },
            headers={"X-APP-ID": clinic.app_id, **patient, "Idempotency-Key": "patient-1"},
        ),
        201,
    )
    assert (booking["startDate"], booking["startTime"]) == (first_day["date"], slot["time"])
    assert booking["startDateTime"] == slot["startDateTime"]
    assert booking["resourceId"] == doctor["id"]

    # The patient sees it in their bookings; the doctor's app (a staff token) sees it too.
    mine = _result(get("/api/customer/bookings", **patient))
    assert [b["id"] for b in mine] == [booking["id"]]
    with app.app_context():
        owner_id = db.session.scalar(
            db.select(Member.user_id).where(Member.organization_id == clinic.site.organization_id)
        )
        staff = tokens.issue_access_token(
            tokens.AccessClaims(clinic.site.organization_id, user_id=owner_id),
            secret_key=app.config["SECRET_KEY"],
        )
    managed = _result(
        get(f"/api/management/bookings/{booking['id']}", Authorization=f"Bearer {staff}")
    )
    assert managed["id"] == booking["id"] and managed["customer"]["firstName"] == "Nour"
    # And the time is no longer offered.
    again = _result(
        post(
            "/api/availability/times",
            {"type": consultation["id"], "resourceFilters": {"resource": doctor["id"]}},
        )
    )
    assert slot["startDateTime"] not in [t["startDateTime"] for day in again for t in day["times"]]
