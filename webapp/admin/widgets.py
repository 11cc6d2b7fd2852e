"""Admin widgets: the tokens a business's own systems use to show the add-appointment,
working-hours and time-off widgets, with the snippets to embed them and a live preview."""

from __future__ import annotations

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from webapp.admin.blueprint import bp, render, scoped_resources, toast
from webapp.admin.forms import FormReader
from webapp.auth import tokens
from webapp.booking.errors import NotFound
from webapp.embed.origins import allowed_origins
from webapp.extensions import db
from webapp.models import RefreshToken, Website
from webapp.public.blueprint import now

WIDGETS = ("add-appointment", "timeRules", "offRules")


def _my_tokens() -> list[RefreshToken]:
    return list(
        db.session.scalars(
            select(RefreshToken)
            .where(
                RefreshToken.organization_id == g.organization.id,
                RefreshToken.user_id == current_user.id,
            )
            .order_by(RefreshToken.created_at.desc())
        )
    )


def _page(status: int = 200, *, new_token: str | None = None, errors=None):
    websites = db.session.scalars(
        select(Website).where(Website.organization_id == g.organization.id)
    )
    origins = allowed_origins(o for w in websites for o in (w.allowed_domains or []))
    resources = scoped_resources()
    base = request.host_url.rstrip("/")
    lang = request.args.get("widget_lang") or "en"
    org = g.organization.id
    resource_id = resources[0].id if resources else "RESOURCE_ID"
    rules = f"webview=true&id={resource_id}&orgId={org}&lang={lang}"
    urls = {
        "add-appointment": f"{base}/webviews/add-appointment?orgId={org}&lang={lang}",
        "timeRules": f"{base}/settings/timeRules?{rules}",
        "offRules": f"{base}/settings/offRules?{rules}",
    }
    return render(
        "admin/widgets.html",
        status,
        tokens=_my_tokens(),
        new_token=new_token,
        errors=errors or {},
        origins=origins,
        urls=urls,
        now=now(),
        # The preview below is framed by this page, which signs it in for five minutes.
        preview_token=tokens.issue_access_token(
            tokens.AccessClaims(g.organization.id, user_id=current_user.id),
            secret_key=current_app.config["SECRET_KEY"],
        ),
        preview_url=urls["add-appointment"],
    )


@bp.get("/widgets")
def widgets():
    return _page()


@bp.post("/widgets/tokens")
def widget_token_create():
    reader = FormReader(request.form)
    label = reader.text("label", required=True, max_length=100)
    if not reader:
        return _page(422, errors=reader.errors)
    _row, raw = tokens.issue_refresh_token(
        db.session, user=current_user, organization=g.organization, now=now(), label=label
    )
    db.session.commit()
    body = _page(new_token=raw)[0]
    return toast(body, _("The token is created. Copy it now: it is shown only once."))


@bp.post("/widgets/tokens/<token_id>/revoke")
def widget_token_revoke(token_id: str):
    row = db.session.scalar(
        select(RefreshToken).where(
            RefreshToken.id == token_id,
            RefreshToken.organization_id == g.organization.id,
            RefreshToken.user_id == current_user.id,
        )
    )
    if row is None:
        raise NotFound(_("Token not found."))
    tokens.revoke(db.session, row, now())
    db.session.commit()
    return toast(_page()[0], _("The token is revoked; widgets using it stop working."))
