"""Integrations in the admin: API clients and booking partners are added with a name, their
secret or password is shown once, and revoking them stops them at once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.admin.conftest import build_clinic, csrf_token, htmx, sign_in, text
from tests.conftest import NOW
from tests.factories import at, create_booking, make_customer
from tests.integrations.conftest import access_token, register_client
from webapp import accounts
from webapp.booking.states import Actor
from webapp.extensions import db
from webapp.integrations.access import Unauthorized, require_integration
from webapp.manage import booking_partners, oauth_clients
from webapp.models import ApiKey, BookingPartner, BookingType, OAuthClient, Organization

PAGE = "/admin/settings/integrations"
CLIENTS = f"{PAGE}/clients"
PARTNERS = f"{PAGE}/partners"
ALL_SCOPES = ["org:read", "availability:read", "appointments:write"]
_CLIENT_ID = re.compile(r'<p class="secret" id="new-client-id">([^<]+)</p>')
_SECRET = re.compile(r'<p class="secret" id="new-client-secret">([^<]+)</p>')
_USERNAME = re.compile(r'<p class="secret" id="new-partner-username">([^<]+)</p>')
_PASSWORD = re.compile(r'<p class="secret" id="new-partner-password">([^<]+)</p>')


def _rows(app, model, **where) -> list:
    with app.app_context():
        rows = list(db.session.scalars(select(model).filter_by(**where)))
        db.session.expunge_all()
        return rows


def _add_client(client, name="Clinic app", scopes=ALL_SCOPES, **extra):
    response = client.post(CLIENTS, data={"client_name": name, "scopes": scopes, **extra})
    assert response.status_code == 201, text(response)
    return response


def _add_partner(client, name="Maps booking"):
    response = client.post(PARTNERS, data={"partner_name": name})
    assert response.status_code == 201, text(response)
    return response


def _token_answer(app, client_id: str, secret: str | None):
    """The client-credentials call; a confidential client signs in with HTTP Basic."""
    if secret is None:
        form = {"grant_type": "client_credentials", "client_id": client_id}
        return app.test_client().post("/oauth/token", data=form)
    return app.test_client().post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )


# --- who may open the page ---------------------------------------------------------------------


def test_owners_and_admins_open_the_page_from_the_menu_and_staff_may_not(owner, admin, staff):
    page = owner.get(PAGE)

    assert page.status_code == 200
    assert f'href="{PAGE}"' in text(owner.get("/admin/"))
    for heading in ("Integrations", "API clients", "Booking partners"):
        assert heading in text(page)
    assert "http://localhost/oauth/token" in text(page)  # the token endpoint, in full
    assert "http://localhost/rwg/v3/" in text(page)  # the booking server's base address
    assert "No API clients yet." in text(page) and "No booking partners yet." in text(page)
    assert admin.get(PAGE).status_code == 200
    assert staff.get(PAGE).status_code == 403
    assert f'href="{PAGE}"' not in text(staff.get("/admin/"))


def test_staff_may_not_add_or_revoke_anything(app, owner, staff, clinic, nocsrf):
    _add_client(owner)
    _add_partner(owner)
    (client,) = _rows(app, OAuthClient, organization_id=clinic.organization_id)
    (partner,) = _rows(app, BookingPartner, organization_id=clinic.organization_id)

    answers = [
        staff.post(CLIENTS, data={"client_name": "Mine", "scopes": ALL_SCOPES}),
        staff.post(PARTNERS, data={"partner_name": "Mine"}),
        staff.post(f"{CLIENTS}/{client.id}/revoke"),
        staff.post(f"{PARTNERS}/{partner.id}/revoke"),
    ]

    assert [a.status_code for a in answers] == [403] * 4
    assert [c.revoked_at for c in _rows(app, OAuthClient)] == [None]
    assert [p.revoked_at for p in _rows(app, BookingPartner)] == [None]


# --- API clients ---------------------------------------------------------------------------------


def test_a_new_client_shows_its_secret_once_and_the_secret_gets_tokens(app, owner, clinic, nocsrf):
    response = _add_client(owner, "Clinic app")

    page = text(response)
    client_id, secret = _CLIENT_ID.search(page).group(1), _SECRET.search(page).group(1)
    assert "it will not be shown again" in page
    assert response.headers["Cache-Control"] == "no-store"
    # The curl example is filled in with what was just made.
    assert f"-d client_id={client_id} -d client_secret={secret}" in page
    (row,) = _rows(app, OAuthClient, organization_id=clinic.organization_id)
    assert (row.client_id, row.name, row.scopes) == (client_id, "Clinic app", ALL_SCOPES)
    assert row.secret_hash == oauth_clients.hash_secret(secret) and secret not in row.secret_hash
    assert row.created_by == f"staff:{clinic.owner_id}"

    later = text(owner.get(PAGE))
    assert secret not in later
    assert client_id in later and f"…{secret[-6:]}" in later
    assert "Confidential" in later and "Never" in later and "YOUR_CLIENT_SECRET" in later
    assert _token_answer(app, client_id, secret).status_code == 200
    assert "Never" not in text(owner.get(PAGE))  # its last use shows


def test_a_public_module_client_has_no_secret(app, owner, clinic, nocsrf):
    response = _add_client(owner, "Website module", public="1")

    page = text(response)
    client_id = _CLIENT_ID.search(page).group(1)
    assert not _SECRET.search(page) and "client_secret=" not in page
    assert "has no secret" in page
    (row,) = _rows(app, OAuthClient, organization_id=clinic.organization_id)
    assert row.is_public and row.secret_hash is None
    assert "Public" in text(owner.get(PAGE))
    assert _token_answer(app, client_id, None).status_code == 200


def test_a_client_gets_only_the_scopes_ticked(app, owner, clinic, nocsrf):
    _add_client(owner, "Availability board", scopes=["availability:read"])

    (row,) = _rows(app, OAuthClient, organization_id=clinic.organization_id)
    assert row.scopes == ["availability:read"]
    assert "appointments:write" not in text(owner.get(PAGE)).split('id="clients"')[1]


def test_every_scope_is_ticked_on_a_fresh_form(owner):
    page = text(owner.get(PAGE))

    for scope in ALL_SCOPES:
        assert f'name="scopes" value="{scope}" checked' in page
    assert 'name="public" type="checkbox" value="1" aria-describedby' in page  # not ticked
    assert "Anyone who knows its client id can book as it." in page


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"client_name": "", "scopes": ALL_SCOPES}, "client_name", "This is required."),
        ({"client_name": "   ", "scopes": ALL_SCOPES}, "client_name", "This is required."),
        ({"client_name": "x" * 101, "scopes": ALL_SCOPES}, "client_name", "at most 100"),
        ({"client_name": "Clinic app"}, "scopes", "Choose at least one scope."),
        ({"client_name": "Clinic app", "scopes": ["admin:all"]}, "scopes", "offered values"),
    ],
)
def test_a_client_needs_a_name_and_a_scope(app, owner, clinic, nocsrf, form, field, message):
    response = owner.post(CLIENTS, data={**form, "public": "1"})

    page = text(response)
    assert response.status_code == 422
    assert message in page
    assert f'id="{field}-error"' in page
    assert not _SECRET.search(page) and not _CLIENT_ID.search(page)
    assert _rows(app, OAuthClient) == []
    # The form comes back as it was filled in.
    assert 'name="public" type="checkbox" value="1" checked' in page
    if field == "scopes":
        assert 'value="Clinic app"' in page


def test_an_htmx_form_gets_its_section_back_with_a_toast(app, owner, clinic, nocsrf):
    added = owner.post(
        CLIENTS,
        data={"client_name": "Clinic app", "scopes": ALL_SCOPES},
        headers=htmx(target="api-clients"),
    )
    refused = owner.post(
        CLIENTS, data={"client_name": "", "scopes": ALL_SCOPES}, headers=htmx(target="api-clients")
    )

    assert added.status_code == 201
    assert text(added).lstrip().startswith('<section class="integration" id="api-clients"')
    assert "<html" not in text(added) and _SECRET.search(text(added))
    assert "Clinic app is added" in added.headers["HX-Trigger"]
    assert refused.status_code == 422
    assert text(refused).lstrip().startswith('<section class="integration" id="api-clients"')
    assert "This is required." in text(refused)
    assert len(_rows(app, OAuthClient)) == 1


def test_a_revoked_client_and_its_tokens_stop_at_once(app, owner, clinic, nocsrf):
    registered = register_client(app, clinic.organization_id, name="Front desk tablet")
    token = access_token(app, registered)
    (row,) = _rows(app, OAuthClient, client_id=registered.client_id)

    response = owner.post(f"{CLIENTS}/{row.id}/revoke", headers=htmx(target="api-clients"))

    assert response.status_code == 200
    assert "Front desk tablet is revoked" in response.headers["HX-Trigger"]
    assert text(response).lstrip().startswith('<section class="integration" id="api-clients"')
    assert "Revoked" in text(response)
    assert _rows(app, OAuthClient, id=row.id)[0].revoked_at == NOW
    refused = _token_answer(app, registered.client_id, registered.secret)
    assert refused.status_code == 401
    assert refused.get_json()["error"] == "invalid_client"
    # A token it was given before is refused by the booking integrations too.
    bearer = {"Authorization": f"Bearer {token}"}
    with app.test_request_context(headers=bearer), pytest.raises(Unauthorized):
        require_integration("org:read")
    # Twice changes nothing; a plain form goes back to the page.
    again = owner.post(f"{CLIENTS}/{row.id}/revoke")
    assert (again.status_code, again.headers["Location"]) == (303, PAGE)
    assert _rows(app, OAuthClient, id=row.id)[0].revoked_at == NOW


# --- booking partners ---------------------------------------------------------------------------


def test_a_new_partner_shows_its_password_once_and_it_signs_in(app, owner, clinic, nocsrf):
    response = _add_partner(owner, "Maps booking")

    page = text(response)
    username, password = _USERNAME.search(page).group(1), _PASSWORD.search(page).group(1)
    assert "it will not be shown again" in page
    assert response.headers["Cache-Control"] == "no-store"
    (row,) = _rows(app, BookingPartner, organization_id=clinic.organization_id)
    assert (row.username, row.name) == (username, "Maps booking")
    assert row.password_hash == booking_partners.hash_password(password)
    later = text(owner.get(PAGE))
    assert password not in later and username in later
    with app.app_context():
        assert booking_partners.authenticate_partner(db.session, username, password) is not None


@pytest.mark.parametrize(("name", "message"), [("", "This is required."), ("x" * 101, "at most")])
def test_a_partner_needs_a_name(app, owner, clinic, nocsrf, name, message):
    response = owner.post(PARTNERS, data={"partner_name": name}, headers=htmx())

    assert response.status_code == 422
    assert message in text(response) and 'id="partner_name-error"' in text(response)
    assert not _PASSWORD.search(text(response))
    assert _rows(app, BookingPartner) == []


def test_a_revoked_partner_is_refused_by_the_booking_server(app, owner, clinic, nocsrf):
    page = text(_add_partner(owner, "Maps booking"))
    username, password = _USERNAME.search(page).group(1), _PASSWORD.search(page).group(1)
    (row,) = _rows(app, BookingPartner)

    response = owner.post(f"{PARTNERS}/{row.id}/revoke", headers=htmx(target="booking-partners"))

    assert response.status_code == 200
    assert "Maps booking is revoked" in response.headers["HX-Trigger"]
    assert text(response).lstrip().startswith('<section class="integration" id="booking-partners"')
    assert _rows(app, BookingPartner, id=row.id)[0].revoked_at == NOW
    with app.app_context():
        assert booking_partners.authenticate_partner(db.session, username, password) is None


# --- tenants and forms ---------------------------------------------------------------------------


def test_another_organizations_clients_and_partners_are_never_shown_nor_revoked(
    app, owner, clinic, other_clinic, nocsrf
):
    foreign = register_client(app, other_clinic.organization_id, name="South app")
    with app.app_context():
        south = db.session.get(Organization, other_clinic.organization_id)
        booking_partners.create_partner(db.session, south, name="South partner")
        db.session.commit()
    (client,) = _rows(app, OAuthClient)
    (partner,) = _rows(app, BookingPartner)

    page = text(owner.get(PAGE))
    answers = [
        owner.post(f"{CLIENTS}/{client.id}/revoke"),
        owner.post(f"{CLIENTS}/{foreign.client_id}/revoke"),
        owner.post(f"{PARTNERS}/{partner.id}/revoke"),
        owner.post(f"{PARTNERS}/{partner.username}/revoke"),
        owner.post(f"{CLIENTS}/nope/revoke"),
    ]

    assert "South app" not in page and "South partner" not in page
    assert [a.status_code for a in answers] == [404] * 5
    assert _rows(app, OAuthClient)[0].revoked_at is None
    assert _rows(app, BookingPartner)[0].revoked_at is None


def test_forms_without_their_csrf_token_are_refused(app, owner, clinic):
    registered = register_client(app, clinic.organization_id)
    (row,) = _rows(app, OAuthClient)

    refused = [
        owner.post(CLIENTS, data={"client_name": "Sneaky", "scopes": ALL_SCOPES}),
        owner.post(PARTNERS, data={"partner_name": "Sneaky"}),
        owner.post(f"{CLIENTS}/{row.id}/revoke"),
    ]
    token = csrf_token(owner.get(PAGE))
    accepted = owner.post(
        CLIENTS, data={"client_name": "Clinic app", "scopes": ALL_SCOPES, "csrf_token": token}
    )

    assert [r.status_code for r in refused] == [400] * 3
    assert accepted.status_code == 201
    assert sorted(c.name for c in _rows(app, OAuthClient)) == ["Booking app", "Clinic app"]
    assert _rows(app, BookingPartner) == []
    assert _token_answer(app, registered.client_id, registered.secret).status_code == 200


def test_the_page_reads_in_arabic(owner, nocsrf):
    page = text(owner.get(f"{PAGE}?lang=ar"))

    assert 'dir="rtl"' in page
    assert '<code dir="ltr">http://localhost/oauth/token</code>' in page


def test_revoking_works_on_each_database(any_app):
    clinic = build_clinic(any_app, "north")
    owner = sign_in(any_app.test_client(), clinic.owner_id)
    any_app.config["WTF_CSRF_ENABLED"] = False
    registered = register_client(any_app, clinic.organization_id, name="Clinic app")
    (row,) = _rows(any_app, OAuthClient)

    listed = text(owner.get(PAGE))
    revoked = owner.post(f"{CLIENTS}/{row.id}/revoke")
    added = owner.post(PARTNERS, data={"partner_name": "Maps booking"})

    assert "Clinic app" in listed and registered.client_id in listed
    assert revoked.status_code == 303
    assert _token_answer(any_app, registered.client_id, registered.secret).status_code == 401
    assert added.status_code == 201 and _PASSWORD.search(text(added))


# --- the booking history names the integration ---------------------------------------------------


def _integration(app, organization_id: str, kind: str) -> tuple[str, str]:
    """An integration of ``kind`` of the organization: its actor id and its name."""
    with app.app_context():
        organization = db.session.get(Organization, organization_id)
        if kind == "client":
            row, _secret = oauth_clients.create_client(
                db.session, organization, name="Front desk tablet"
            )
        elif kind == "key":
            accounts.issue_organization_key(db.session, organization, "Clinic CRM")
            row = db.session.scalar(select(ApiKey).where(ApiKey.name == "Clinic CRM"))
        else:
            row, _password = booking_partners.create_partner(
                db.session, organization, name="Maps booking"
            )
        db.session.commit()
        return row.id, row.name


@pytest.mark.parametrize(
    ("kind", "shown"),
    [
        ("client", "through API client Front desk tablet"),
        ("key", "through API key Clinic CRM"),
        ("partner", "through booking partner Maps booking"),
    ],
)
def test_the_booking_history_names_the_integration_that_booked(app, owner, clinic, kind, shown):
    actor_id, _name = _integration(app, clinic.organization_id, kind)
    with app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        booking = create_booking(
            db.session,
            organization,
            db.session.get(BookingType, clinic.type_id),
            start=at("2026-11-22 09:00"),
            now=NOW,
            actor=Actor(kind, actor_id),
            customer=make_customer(db.session, organization),
            resource_id=clinic.own_resource_id,
        )
        db.session.commit()
        booking_id = booking.id

    page = text(owner.get(f"/admin/bookings/{booking_id}"))

    assert shown in page
    assert f"{kind}:{actor_id}" not in page


def test_the_history_never_names_another_organizations_integration(
    app, owner, clinic, other_clinic
):
    foreign_id, _name = _integration(app, other_clinic.organization_id, "client")
    with app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        booking = create_booking(
            db.session,
            organization,
            db.session.get(BookingType, clinic.type_id),
            start=at("2026-11-22 10:00"),
            now=NOW,
            actor=Actor("client", foreign_id),
            customer=make_customer(db.session, organization),
            resource_id=clinic.own_resource_id,
        )
        db.session.commit()
        booking_id = booking.id

    page = text(owner.get(f"/admin/bookings/{booking_id}"))

    assert "Front desk tablet" not in page
    assert "through an API client" in page
