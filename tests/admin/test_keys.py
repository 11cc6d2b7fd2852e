"""API keys: made with a name, shown once, listed by their last characters, revoked."""

from __future__ import annotations

import re

import pytest

from tests.admin.conftest import htmx, text
from tests.conftest import NOW
from webapp import accounts
from webapp.extensions import db
from webapp.models import ApiKey, Organization, User
from webapp.models.api_keys import hash_key

_SECRET = re.compile(r'<p class="secret" id="new-key">([^<]+)</p>')


def _keys(app, **where) -> list[ApiKey]:
    with app.app_context():
        return list(db.session.scalars(db.select(ApiKey).filter_by(**where).order_by(ApiKey.name)))


def _make(client, name: str) -> str:
    response = client.post("/admin/keys", data={"name": name})
    assert response.status_code == 201, text(response)
    return _SECRET.search(text(response)).group(1)


def test_a_new_key_is_shown_once_and_only_its_fingerprint_is_kept(app, owner, clinic, nocsrf):
    response = owner.post("/admin/keys", data={"name": "Website CRM"})

    page = text(response)
    assert response.status_code == 201
    assert "it will not be shown again" in page
    raw = _SECRET.search(page).group(1)
    assert raw.startswith("mwd_") and len(raw) > 40
    (key,) = _keys(app, organization_id=clinic.organization_id)
    assert (key.scope, key.name, key.revoked_at) == ("organization", "Website CRM", None)
    assert key.key_hash == hash_key(raw)
    assert key.key_hint == raw[-6:]
    assert raw not in key.key_hash
    assert response.headers["Cache-Control"] == "no-store"

    later = text(owner.get("/admin/keys"))
    assert raw not in later
    assert "Website CRM" in later and f"…{raw[-6:]}" in later
    assert "Never" in later


def test_the_key_works_as_the_organizations_key(app, admin, clinic, nocsrf):
    raw = _make(admin, "Integrations")

    with app.app_context():
        found = db.session.scalar(db.select(ApiKey).filter_by(key_hash=hash_key(raw)))
        assert found.organization_id == clinic.organization_id
        assert found.scope == "organization" and found.revoked_at is None


def test_an_htmx_form_gets_the_key_in_the_page_it_swaps_in(owner, clinic, nocsrf):
    response = owner.post("/admin/keys", data={"name": "Zapier"}, headers=htmx())

    assert response.status_code == 201
    assert _SECRET.search(text(response))


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "This is required."), ("x" * 101, "Use at most 100 characters."), ("CRM", "exists")],
)
def test_a_key_needs_a_name_no_active_key_has(app, owner, clinic, nocsrf, name, message):
    _make(owner, "CRM")

    response = owner.post("/admin/keys", data={"name": name})

    assert response.status_code == 422
    assert message in text(response)
    assert 'aria-invalid="true"' in text(response)
    assert not _SECRET.search(text(response))
    assert len(_keys(app, organization_id=clinic.organization_id)) == 1


def test_a_revoked_key_stops_and_its_name_can_be_used_again(app, owner, clinic, nocsrf):
    _make(owner, "CRM")
    (key,) = _keys(app, organization_id=clinic.organization_id)

    response = owner.post(f"/admin/keys/{key.id}/revoke", headers=htmx())

    assert response.status_code == 200
    assert response.headers["HX-Location"] == "/admin/keys"
    assert "CRM is revoked" in response.headers["HX-Trigger"]
    (revoked,) = _keys(app, organization_id=clinic.organization_id)
    assert revoked.revoked_at == NOW
    assert "Revoked" in text(owner.get("/admin/keys"))
    assert owner.post(f"/admin/keys/{key.id}/revoke").status_code == 303  # twice: no change
    assert _keys(app, id=key.id)[0].revoked_at == NOW

    _make(owner, "CRM")

    assert [k.revoked_at is None for k in _keys(app, organization_id=clinic.organization_id)] in (
        [True, False],
        [False, True],
    )


def test_staff_may_not_see_make_or_revoke_keys(app, owner, staff, clinic, nocsrf):
    _make(owner, "CRM")
    (key,) = _keys(app, organization_id=clinic.organization_id)

    assert staff.get("/admin/keys").status_code == 403
    assert staff.post("/admin/keys", data={"name": "Mine"}).status_code == 403
    assert staff.post(f"/admin/keys/{key.id}/revoke").status_code == 403
    assert len(_keys(app, organization_id=clinic.organization_id)) == 1
    assert _keys(app, id=key.id)[0].revoked_at is None


def test_another_organizations_keys_are_never_listed_nor_revoked(
    app, owner, clinic, other_clinic, nocsrf
):
    with app.app_context():
        south = db.session.get(Organization, other_clinic.organization_id)
        accounts.issue_organization_key(db.session, south, "South billing")
        accounts.issue_account_key(db.session, db.session.get(User, clinic.owner_id), "Huda's own")
        db.session.commit()
    (foreign,) = _keys(app, organization_id=other_clinic.organization_id)

    page = text(owner.get("/admin/keys"))
    revoke = owner.post(f"/admin/keys/{foreign.id}/revoke")
    unknown = owner.post("/admin/keys/nope/revoke")

    assert "South billing" not in page and "Huda's own" not in page
    assert "No API keys yet." in page
    assert revoke.status_code == unknown.status_code == 404
    assert _keys(app, id=foreign.id)[0].revoked_at is None
