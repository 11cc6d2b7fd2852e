"""Integrations: the API clients that get tokens at /oauth/token to book (seeds 001 and 003)
and the booking partners that call the booking server (seed 004). Owners and admins add
them, see the client's secret or the partner's password once, and revoke them. Each section
answers its own forms (HTMX); a plain form gets the whole page back."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import g, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.admin.blueprint import after_action, bp, is_partial, render, requires, toast
from webapp.admin.forms import FormReader
from webapp.booking.errors import ValidationFailed
from webapp.extensions import db
from webapp.integrations import booking_server
from webapp.manage import booking_partners as partners
from webapp.manage import oauth_clients as clients
from webapp.public.blueprint import now

CLIENTS = "api-clients"
PARTNERS = "booking-partners"
PAGE = "admin/integrations/page.html"
PARTIALS = {
    CLIENTS: "admin/integrations/_clients.html",
    PARTNERS: "admin/integrations/_partners.html",
}
SCOPE_LABELS = {
    "org:read": _l("See the services"),
    "availability:read": _l("See the free times"),
    "appointments:write": _l("Hold, book, reschedule and cancel appointments"),
}


def _clients_context(**shown) -> dict:
    return {
        "clients": clients.clients_of(db.session, g.organization),
        "scope_choices": [(scope, SCOPE_LABELS[scope]) for scope in clients.SCOPES],
        "token_url": url_for("oauth.token", _external=True),
        "client_values": {"name": "", "scopes": list(clients.SCOPES), "public": False},
        "client_errors": {},
        **shown,
    }


def _partners_context(**shown) -> dict:
    return {
        "partners": partners.partners_of(db.session, g.organization),
        "server_url": request.url_root.rstrip("/") + booking_server.bp.url_prefix + "/",
        "partner_values": {"name": ""},
        "partner_errors": {},
        **shown,
    }


def _context(clients_shown: dict | None = None, partners_shown: dict | None = None) -> dict:
    return {
        **_clients_context(**(clients_shown or {})),
        **_partners_context(**(partners_shown or {})),
        "tz": ZoneInfo(g.organization.timezone),
    }


def _answer(section: str, shown: dict, status: int = 200, message: str | None = None):
    """The section as it is now (HTMX, with a toast when ``message``), or the whole page."""
    if section == CLIENTS:
        context = _context(clients_shown=shown)
    else:
        context = _context(partners_shown=shown)
    body, status = render(PAGE, status, partial=PARTIALS[section], target=section, **context)
    if message and is_partial(section):
        return toast(body, message, status=status)
    return body, status


def _creator() -> str:
    return f"staff:{current_user.id}"


def _adopt(reader: FormReader, error: ValidationFailed, prefix: str) -> None:
    """A service's complaint about ``name`` lands on this form's own name field."""
    field = error.details.get("field")
    reader.fail(f"{prefix}_name" if field == "name" else field or "__all__", error.message)


@bp.get("/settings/integrations")
@requires("admin")
def integrations_page():
    return render(PAGE, **_context())


@bp.post("/settings/integrations/clients")
@requires("admin")
def api_client_create():
    reader = FormReader(request.form)
    name = reader.text("client_name", required=True, max_length=clients.MAX_NAME)
    scopes = reader.many("scopes", clients.SCOPES)
    if not scopes:
        reader.fail("scopes", _("Choose at least one scope."))
    public = reader.boolean("public")
    if reader:
        try:
            row, secret = clients.create_client(
                db.session,
                g.organization,
                name=name,
                scopes=scopes,
                public=public,
                created_by=_creator(),
            )
        except ValidationFailed as error:
            db.session.rollback()
            _adopt(reader, error, "client")
        else:
            db.session.commit()
            # The only time the secret is shown: the answer to the form, no redirect.
            message = _("%(name)s is added. Copy its credentials now.", name=row.name)
            return _answer(CLIENTS, {"new_client": row, "client_secret": secret}, 201, message)
    values = {"name": name, "scopes": scopes, "public": public}
    return _answer(CLIENTS, {"client_values": values, "client_errors": reader.errors}, 422)


@bp.post("/settings/integrations/clients/<client_id>/revoke")
@requires("admin")
def api_client_revoke(client_id: str):
    row = clients.revoke_client(db.session, g.organization, client_id, now=now())
    db.session.commit()
    message = _("%(name)s is revoked; its tokens no longer work.", name=row.name)
    if is_partial(CLIENTS):
        return _answer(CLIENTS, {}, message=message)
    return after_action(url_for("admin.integrations_page"), message)


@bp.post("/settings/integrations/partners")
@requires("admin")
def booking_partner_create():
    reader = FormReader(request.form)
    name = reader.text("partner_name", required=True, max_length=partners.MAX_NAME)
    if reader:
        try:
            row, password = partners.create_partner(
                db.session, g.organization, name=name, created_by=_creator()
            )
        except ValidationFailed as error:
            db.session.rollback()
            _adopt(reader, error, "partner")
        else:
            db.session.commit()
            # The only time the password is shown: the answer to the form, no redirect.
            message = _("%(name)s is added. Copy its password now.", name=row.name)
            return _answer(
                PARTNERS, {"new_partner": row, "partner_password": password}, 201, message
            )
    shown = {"partner_values": {"name": name}, "partner_errors": reader.errors}
    return _answer(PARTNERS, shown, 422)


@bp.post("/settings/integrations/partners/<partner_id>/revoke")
@requires("admin")
def booking_partner_revoke(partner_id: str):
    row = partners.revoke_partner(db.session, g.organization, partner_id, now=now())
    db.session.commit()
    message = _("%(name)s is revoked; the booking server refuses it now.", name=row.name)
    if is_partial(PARTNERS):
        return _answer(PARTNERS, {}, message=message)
    return after_action(url_for("admin.integrations_page"), message)
