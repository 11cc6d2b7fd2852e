"""Manage Webhooks (seed 002): the organization's subscriptions (a trigger, an address, an
optional reference) and sample payloads of each trigger. Adding a subscription answers its
signing secret once: ``{"result": "success", "secret": "whsec_..."}``."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, g, jsonify, request
from flask_babel import gettext as _

from webapp.api.access import management
from webapp.api.blueprint import body, bp, ok
from webapp.api.pagination import MAX_LIMIT, decode, pagination, read_limit
from webapp.api.shapes import accounts as shape
from webapp.booking.errors import ValidationFailed
from webapp.extensions import db
from webapp.manage import webhook_samples as samples
from webapp.manage import webhooks as hooks
from webapp.notify.destinations import loopback_allowed
from webapp.public.blueprint import now

LIST_NAME = "webhooks"


def _params() -> dict:
    """The body's members, or the query's for clients that cannot send a DELETE body."""
    data = body()
    return data or request.args.to_dict()


@bp.get("/management/webhooks")
@management("admin")
def webhooks_list():
    limit = read_limit(request.args.get("limit"), default=MAX_LIMIT)
    position = decode(LIST_NAME, request.args.get("nextPageToken"))
    try:
        after = (datetime.fromisoformat(position[0]), str(position[1])) if position else None
    except (IndexError, TypeError, ValueError):
        raise ValidationFailed(
            _("This nextPageToken is not valid."), field="nextPageToken"
        ) from None
    rows = hooks.subscriptions(db.session, g.organization, after=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    last = [rows[-1].created_at.isoformat(), rows[-1].id] if more else None
    result = [shape.webhook(row) for row in rows]
    db.session.commit()
    return ok(result, pagination=pagination(last, LIST_NAME))


@bp.post("/management/webhooks")
@management("admin")
def webhook_add():
    data = body()
    row, secret, created = hooks.subscribe(
        db.session,
        g.organization,
        trigger=data.get("trigger"),
        url=data.get("url"),
        reference=data.get("reference"),
        allow_loopback=loopback_allowed(current_app.config),
        actor_label=g.caller.actor.label,
        now=now(),
    )
    db.session.commit()
    # DESIGN's answer: the secret next to the seed's "success", shown this once.
    response = jsonify({"result": "success", "secret": secret})
    response.status_code = 201 if created else 200
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.delete("/management/webhooks")
@management("admin")
def webhook_delete():
    data = _params()
    hooks.unsubscribe(
        db.session,
        g.organization,
        trigger=data.get("trigger"),
        url=data.get("url"),
        reference=data.get("reference"),
        now=now(),
    )
    db.session.commit()
    return ok("success")


@bp.post("/management/webhooks/sample")
@management("admin")
def webhook_sample():
    data = body()
    trigger = hooks.check_trigger(data.get("trigger"))
    reference = hooks.check_reference(data.get("reference"))
    sample = samples.sample_payload(
        db.session,
        g.organization,
        trigger,
        reference,
        now=now(),
        base_url=request.url_root,
        website=g.website,
    )
    result = [sample]
    db.session.commit()
    return ok(result)
