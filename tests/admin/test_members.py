"""The team: owners and admins invite people and set their roles and resources; only an
owner touches an owner, and an organization always keeps one."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.admin.conftest import PASSWORD, htmx, sign_in, text
from webapp.extensions import db
from webapp.models import Member, User


@pytest.fixture
def messages(app):
    app.config["MESSAGES_CAPTURE"] = []
    yield app.config["MESSAGES_CAPTURE"]
    app.config.pop("MESSAGES_CAPTURE")


def _member(app, organization_id: str, user_id: str) -> Member | None:
    with app.app_context():
        member = db.session.scalar(
            select(Member).filter_by(organization_id=organization_id, user_id=user_id)
        )
        if member is not None:
            member.resource_ids = sorted(r.id for r in member.resources)
            db.session.expunge(member)
        return member


def _member_id(app, clinic, user_id: str) -> str:
    return _member(app, clinic.organization_id, user_id).id


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _user(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email=email))
        if user is not None:
            db.session.expunge(user)
        return user


def test_the_team_page_lists_every_member_with_their_role_and_resources(
    owner, clinic, other_clinic
):
    page = text(owner.get("/admin/members"))

    for shown in ("north-owner@example.com", "north-admin@example.com", "Dr Salma", "Adel Admin"):
        assert shown in page
    assert "role-owner" in page and "role-admin" in page and "role-staff" in page
    assert "south-owner@example.com" not in page
    assert "Send the invitation" in page


def test_staff_may_not_open_or_change_the_team(app, staff, clinic, nocsrf):
    admin_member = _member_id(app, clinic, clinic.admin_id)

    responses = [
        staff.get("/admin/members"),
        staff.post("/admin/members/invite", data={"email": "x@example.com", "role": "staff"}),
        staff.get(f"/admin/members/{admin_member}"),
        staff.post(f"/admin/members/{admin_member}", data={"role": "staff"}),
        staff.post(f"/admin/members/{admin_member}/remove"),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    assert _member(app, clinic.organization_id, clinic.admin_id).role == "admin"
    assert _user(app, "x@example.com") is None


def test_an_invited_newcomer_gets_an_account_and_an_email_to_choose_a_password(
    app, admin, client, clinic, nocsrf, messages
):
    response = admin.post(
        "/admin/members/invite",
        data={
            "email": " New.Doc@Example.com ",
            "name": "Dr Rana",
            "role": "staff",
            "resource_ids": [clinic.own_resource_id],
        },
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/members"
    user = _user(app, "new.doc@example.com")
    assert user is not None and user.name == "Dr Rana"
    member = _member(app, clinic.organization_id, user.id)
    assert member.role == "staff" and member.resource_ids == [clinic.own_resource_id]

    assert len(messages) == 1
    assert messages[0]["to"] == "new.doc@example.com"
    assert "North Clinic" in messages[0]["subject"]
    link = re.search(r"http://localhost(/admin/password/reset/\S+)", messages[0]["text"]).group(1)
    assert client.get(link).status_code == 200
    chosen = client.post(link, data={"password": "my own secret 7", "confirm": "my own secret 7"})
    assert chosen.status_code == 303
    assert "Dr Salma" in text(client.get("/admin/resources"))  # signed in, sees their resource
    with app.app_context():
        assert db.session.get(User, user.id).check_password("my own secret 7")


def test_someone_with_an_account_is_added_and_told_where_to_sign_in(
    app, owner, clinic, other_clinic, nocsrf, messages
):
    response = owner.post(
        "/admin/members/invite",
        data={"email": "south-owner@example.com", "name": "Renamed?", "role": "admin"},
        headers=htmx(),
    )

    assert response.status_code == 200
    assert "south-owner@example.com is invited." in response.headers["HX-Trigger"]
    assert _member(app, clinic.organization_id, other_clinic.owner_id).role == "admin"
    user = _user(app, "south-owner@example.com")
    assert user.name == "Huda Owner" and user.check_password(PASSWORD)
    assert len(messages) == 1
    assert "http://localhost/admin/login" in messages[0]["text"]
    assert "/password/reset/" not in messages[0]["text"]


def test_inviting_a_member_again_is_refused_with_a_clear_message(
    app, owner, clinic, nocsrf, messages
):
    before = _count(app, Member)

    response = owner.post(
        "/admin/members/invite", data={"email": "NORTH-doctor@example.com", "role": "admin"}
    )

    assert response.status_code == 422
    assert "north-doctor@example.com is already a member of this team." in text(response)
    assert _count(app, Member) == before
    assert _member(app, clinic.organization_id, clinic.staff_id).role == "staff"
    assert messages == []


def test_a_bad_invitation_comes_back_marked_and_nobody_is_added(
    app, admin, clinic, other_clinic, nocsrf, messages
):
    users, members = _count(app, User), _count(app, Member)

    response = admin.post(
        "/admin/members/invite",
        data={"email": "", "role": "king", "resource_ids": [other_clinic.own_resource_id]},
        headers=htmx(),
    )
    bad_email = admin.post("/admin/members/invite", data={"email": "not-an-email", "role": "staff"})

    page = text(response)
    assert response.status_code == bad_email.status_code == 422
    assert "This is required." in page
    assert "Choose one of the offered values." in page
    assert "Choose from the offered values." in page
    assert "Enter a valid email address." in text(bad_email)
    assert (_count(app, User), _count(app, Member)) == (users, members)
    assert messages == []


def test_an_admin_cannot_make_anyone_an_owner(app, admin, clinic, nocsrf, messages):
    page = text(admin.get("/admin/members"))
    staff_member = _member_id(app, clinic, clinic.staff_id)

    invited = admin.post(
        "/admin/members/invite", data={"email": "boss@example.com", "role": "owner"}
    )
    promoted = admin.post(f"/admin/members/{staff_member}", data={"role": "owner"})

    assert 'value="owner"' not in page
    assert invited.status_code == promoted.status_code == 403
    assert _user(app, "boss@example.com") is None
    assert _member(app, clinic.organization_id, clinic.staff_id).role == "staff"
    assert messages == []


def test_an_admin_cannot_change_or_remove_an_owner(app, admin, clinic, nocsrf):
    owner_member = _member_id(app, clinic, clinic.owner_id)

    page = admin.get(f"/admin/members/{owner_member}")
    demoted = admin.post(f"/admin/members/{owner_member}", data={"role": "staff"})
    removed = admin.post(f"/admin/members/{owner_member}/remove")

    assert page.status_code == 200
    assert "Only an owner can change or remove an owner." in text(page)
    assert "Remove from the team" not in text(page)
    assert demoted.status_code == removed.status_code == 403
    assert _member(app, clinic.organization_id, clinic.owner_id).role == "owner"


def test_an_owner_makes_an_admin_an_owner_and_may_then_step_down(app, owner, clinic, nocsrf):
    admin_member = _member_id(app, clinic, clinic.admin_id)
    owner_member = _member_id(app, clinic, clinic.owner_id)

    promoted = owner.post(f"/admin/members/{admin_member}", data={"role": "owner"})
    stepped_down = owner.post(f"/admin/members/{owner_member}", data={"role": "admin"})

    assert promoted.status_code == stepped_down.status_code == 303
    assert _member(app, clinic.organization_id, clinic.admin_id).role == "owner"
    assert _member(app, clinic.organization_id, clinic.owner_id).role == "admin"


def test_the_last_owner_can_be_neither_demoted_nor_removed(app, owner, clinic, nocsrf):
    owner_member = _member_id(app, clinic, clinic.owner_id)

    demoted = owner.post(f"/admin/members/{owner_member}", data={"role": "admin"})
    removed = owner.post(f"/admin/members/{owner_member}/remove", headers=htmx())

    assert demoted.status_code == 422
    assert "The organization needs at least one owner." in text(demoted)
    assert "The last owner cannot be removed." in removed.headers["HX-Trigger"]
    assert _member(app, clinic.organization_id, clinic.owner_id).role == "owner"


def test_an_admin_changes_a_staff_members_resources(app, admin, clinic, nocsrf):
    staff_member = _member_id(app, clinic, clinic.staff_id)
    page = text(admin.get(f"/admin/members/{staff_member}"))
    assert "Dr Omar" in page and "Remove from the team" in page

    response = admin.post(
        f"/admin/members/{staff_member}",
        data={"role": "staff", "resource_ids": [clinic.own_resource_id, clinic.other_resource_id]},
        headers=htmx(),
    )

    assert response.status_code == 200
    assert response.headers["HX-Location"] == "/admin/members"
    assert "Dr Salma is saved." in response.headers["HX-Trigger"]
    member = _member(app, clinic.organization_id, clinic.staff_id)
    assert member.resource_ids == sorted([clinic.own_resource_id, clinic.other_resource_id])


def test_an_admin_who_makes_themselves_staff_lands_on_the_dashboard(app, admin, clinic, nocsrf):
    response = admin.post(
        f"/admin/members/{_member_id(app, clinic, clinic.admin_id)}", data={"role": "staff"}
    )

    assert response.headers["Location"] == "/admin/"
    assert admin.get("/admin/members").status_code == 403


def test_a_removed_member_loses_access_but_keeps_their_account(app, owner, clinic, nocsrf):
    staff_member = _member_id(app, clinic, clinic.staff_id)

    response = owner.post(f"/admin/members/{staff_member}/remove")

    assert response.status_code == 303
    assert _member(app, clinic.organization_id, clinic.staff_id) is None
    assert _user(app, "north-doctor@example.com") is not None
    assert sign_in(app.test_client(), clinic.staff_id).get("/admin/").status_code == 403


def test_another_organizations_member_answers_like_an_unknown_one(
    app, owner, clinic, other_clinic, nocsrf
):
    foreign = _member_id(app, other_clinic, other_clinic.staff_id)

    responses = [
        owner.get(f"/admin/members/{foreign}"),
        owner.post(f"/admin/members/{foreign}", data={"role": "admin"}),
        owner.post(f"/admin/members/{foreign}/remove"),
        owner.get("/admin/members/nope"),
    ]

    assert [r.status_code for r in responses] == [404] * 4
    assert _member(app, other_clinic.organization_id, other_clinic.staff_id).role == "staff"
