"""Resources and categories: owners and admins manage them; a staff member sees their own."""

from __future__ import annotations

import io

from tests.admin.conftest import htmx, text
from webapp.extensions import db
from webapp.models import Resource, ResourceCategory

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)


def _resource(app, **where):
    with app.app_context():
        return db.session.scalars(db.select(Resource).filter_by(**where)).first()


def test_the_list_shows_every_resource_of_the_organization_and_nothing_of_another(
    owner, clinic, other_clinic
):
    page = text(owner.get("/admin/resources"))

    assert "Dr Salma" in page and "Dr Omar" in page
    assert other_clinic.own_resource_id not in page
    assert "Add a resource" in page


def test_a_staff_member_sees_only_the_resource_they_provide(staff, clinic):
    page = text(staff.get("/admin/resources"))

    assert "Dr Salma" in page
    assert "Dr Omar" not in page
    assert "Add a resource" not in page


def test_an_admin_adds_a_resource_with_a_category_services_data_and_a_photo(
    app, admin, clinic, nocsrf
):
    admin.post(
        "/admin/resources/categories", data={"name": "Riyadh branch", "name_ar": "فرع الرياض"}
    )
    with app.app_context():
        category_id = db.session.scalar(db.select(ResourceCategory.id))

    response = admin.post(
        "/admin/resources/new",
        data={
            "name": "Dr Lina",
            "name_ar": "د. لينا",
            "category_id": category_id,
            "type_ids": [clinic.type_id],
            "on": "1",
            "book_from_website": "1",
            "meta": "specialty: pediatrics\ngender: female",
            "provider_email": "Lina@Example.com",
            "photo": (io.BytesIO(PNG), "lina.png"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 303
    lina = _resource(app, name="Dr Lina")
    assert lina.name_translations == {"ar": "د. لينا"}
    assert lina.category_id == category_id
    assert lina.meta == {"specialty": "pediatrics", "gender": "female"}
    assert lina.provider_email == "lina@example.com"
    photo = admin.get(lina.photo["url"])
    assert photo.status_code == 200
    assert photo.mimetype == "image/png"
    photo.close()


def test_bad_input_comes_back_marked_with_422_and_nothing_is_saved(app, admin, clinic, nocsrf):
    response = admin.post(
        "/admin/resources/new",
        data={
            "name": "",
            "timezone": "Mars/Olympus",
            "type_ids": ["not-a-type"],
            "meta": "no colon here",
            "position": "first",
        },
        headers=htmx(),
    )

    page = text(response)
    assert response.status_code == 422
    assert "This is required." in page
    assert "Choose a time zone from the list" in page
    assert "write custom data as key: value" in page
    assert "Enter a whole number." in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Resource)) == 2


def test_a_photo_that_is_not_an_image_is_refused(app, admin, clinic, nocsrf):
    response = admin.post(
        f"/admin/resources/{clinic.own_resource_id}",
        data={"name": "Dr Salma", "photo": (io.BytesIO(b"<script>alert(1)</script>"), "x.png")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert "not the image" in text(response) or "not a photo" in text(response)


def test_an_htmx_save_answers_with_a_toast_and_where_to_go(admin, clinic, nocsrf):
    response = admin.post(
        f"/admin/resources/{clinic.other_resource_id}",
        data={"name": "Dr Omar Saleh", "on": "1"},
        headers=htmx(),
    )

    assert response.status_code == 200
    assert "Dr Omar Saleh is saved." in response.headers["HX-Trigger"]
    assert response.headers["HX-Location"] == f"/admin/resources/{clinic.other_resource_id}"


def test_staff_may_not_change_or_add_resources(staff, clinic, nocsrf):
    assert (
        staff.post(f"/admin/resources/{clinic.own_resource_id}", data={"name": "X"}).status_code
        == 403
    )
    assert staff.get("/admin/resources/new").status_code == 403
    assert staff.get(f"/admin/resources/{clinic.other_resource_id}").status_code == 404


def test_another_organizations_resource_answers_like_an_unknown_one(owner, other_clinic, nocsrf):
    foreign = owner.get(f"/admin/resources/{other_clinic.own_resource_id}")
    unknown = owner.get("/admin/resources/nope")
    delete = owner.post(f"/admin/resources/{other_clinic.own_resource_id}/delete")

    assert foreign.status_code == unknown.status_code == delete.status_code == 404


def test_a_booked_resource_is_kept_and_an_unbooked_one_is_deleted(app, owner, clinic, nocsrf):
    from tests.conftest import NOW
    from tests.factories import at, create_booking
    from webapp.models import BookingType

    with app.app_context():
        booking_type = db.session.get(BookingType, clinic.type_id)
        organization = db.session.get(Resource, clinic.own_resource_id)
        from webapp.models import Organization

        org = db.session.get(Organization, clinic.organization_id)
        create_booking(
            db.session,
            org,
            booking_type,
            start=at("2026-11-22 09:00"),
            now=NOW,
            resource_id=organization.id,
        )
        db.session.commit()

    kept = owner.post(f"/admin/resources/{clinic.own_resource_id}/delete", headers=htmx())
    gone = owner.post(f"/admin/resources/{clinic.other_resource_id}/delete")

    assert "has bookings" in kept.headers["HX-Trigger"]
    assert _resource(app, id=clinic.own_resource_id) is not None
    assert gone.status_code == 303
    assert _resource(app, id=clinic.other_resource_id) is None
