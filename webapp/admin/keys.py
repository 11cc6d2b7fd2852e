"""API keys of the organization: for the management API, integrations and the MCP server."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import g, request, url_for
from flask_babel import gettext as _

from webapp.admin.blueprint import after_action, bp, render, requires
from webapp.admin.forms import FormReader
from webapp.booking.errors import ValidationFailed
from webapp.extensions import db
from webapp.manage import api_keys as manage
from webapp.public.blueprint import now


def _list_page(status: int = 200, *, errors=None, name: str = "", issued=None, raw_key=None):
    return render(
        "admin/keys/list.html",
        status,
        keys=manage.organization_keys(db.session, g.organization),
        errors=errors or {},
        name=name,
        issued=issued,
        raw_key=raw_key,
        tz=ZoneInfo(g.organization.timezone),
    )


@bp.get("/keys")
@requires("admin")
def keys_list():
    return _list_page()


@bp.post("/keys")
@requires("admin")
def key_create():
    reader = FormReader(request.form)
    name = reader.text("name", required=True, max_length=manage.MAX_NAME)
    if reader:
        try:
            row, raw = manage.create_key(db.session, g.organization, name)
        except ValidationFailed as error:
            db.session.rollback()
            reader.adopt(error)
        else:
            db.session.commit()
            # The only time the key is ever shown: the page answers the form, no redirect.
            return _list_page(201, issued=row, raw_key=raw)
    return _list_page(422, errors=reader.errors, name=name)


@bp.post("/keys/<key_id>/revoke")
@requires("admin")
def key_revoke(key_id: str):
    row = manage.revoke_key(db.session, g.organization, key_id, now=now())
    db.session.commit()
    return after_action(
        url_for("admin.keys_list"), _("%(name)s is revoked and no longer works.", name=row.name)
    )
