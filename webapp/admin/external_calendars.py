"""A resource's outside calendars (ICS addresses whose events make it busy): a section of the
resource's page, also a page of its own. Staff manage those of the resources they provide."""

from __future__ import annotations

from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app, g, request, url_for
from flask_babel import gettext as _

from webapp.admin.blueprint import after_action, bp, is_partial, may_manage_resource, render, toast
from webapp.admin.forms import FormReader
from webapp.booking.errors import NotFound, ValidationFailed
from webapp.extensions import db
from webapp.i18n import format_time
from webapp.manage import external_calendars as manage
from webapp.manage.resources import get_resource
from webapp.notify import external_calendars as reader
from webapp.notify.destinations import loopback_allowed
from webapp.public.blueprint import now

TARGET = "outside-calendars"
PARTIAL = "admin/resources/_outside_calendars.html"


def _resource(resource_id: str):
    if not may_manage_resource(resource_id):
        raise NotFound(_("Resource not found."))
    return get_resource(db.session, g.organization, resource_id)


def _timezone(resource) -> ZoneInfo:
    return ZoneInfo(resource.timezone or g.organization.timezone)


def outside_calendars(resource, *, errors=None, values=None) -> dict:
    """What the section shows for ``resource``: its calendars and the add form."""
    calendars = manage.calendars_for_resource(db.session, g.organization, resource.id)
    return {
        "calendars": [
            {
                "row": calendar,
                "host": urlsplit(calendar.url).hostname or calendar.url,
                "error": reader.describe_error(calendar.last_error),
            }
            for calendar in calendars
        ],
        "full": len(calendars) >= manage.MAX_PER_RESOURCE,
        "errors": errors or {},
        "values": values or {},
        "tz": _timezone(resource),
    }


@bp.context_processor
def _section_helper():
    # The resource's page includes the section; this fills it in.
    return {"outside_calendars": outside_calendars}


def _answer(resource, status: int = 200, *, message=None, kind="success", **section):
    if request.method == "POST" and status < 400 and not is_partial(TARGET):
        return after_action(
            url_for("admin.resource_edit", resource_id=resource.id, _anchor=TARGET),
            message,
            kind,
        )
    body, status = render(
        "admin/resources/outside_calendars.html",
        status,
        partial=PARTIAL,
        target=TARGET,
        resource=resource,
        outside=outside_calendars(resource, **section),
    )
    return toast(body, message, kind, status) if message else (body, status)


@bp.get("/resources/<resource_id>/calendars")
def outside_calendars_list(resource_id: str):
    return _answer(_resource(resource_id))


@bp.post("/resources/<resource_id>/calendars")
def outside_calendar_add(resource_id: str):
    resource = _resource(resource_id)
    form = FormReader(request.form)
    # Named apart from the resource form's fields, which share the page.
    values = {
        "url": form.text("calendar_url", required=True, max_length=manage.MAX_URL),
        "name": form.text("calendar_name", max_length=manage.MAX_NAME),
    }
    if form:
        try:
            calendar, fetched = manage.add_calendar(
                db.session,
                g.organization,
                resource.id,
                url=values["url"],
                name=values["name"],
                now=now(),
                allow_loopback=loopback_allowed(current_app.config),
            )
        except ValidationFailed as error:
            db.session.rollback()
            field = error.details.get("field")
            form.fail("calendar_name" if field == "name" else "calendar_url", error.message)
        else:
            db.session.commit()
            message, kind = _outcome(calendar, fetched, resource, added=True)
            return _answer(resource, message=message, kind=kind)
    return _answer(resource, 422, errors=form.errors, values=values)


@bp.post("/resources/<resource_id>/calendars/<calendar_id>/refresh")
def outside_calendar_refresh(resource_id: str, calendar_id: str):
    resource = _resource(resource_id)
    calendar, fetched = manage.refresh_now(
        db.session,
        g.organization,
        calendar_id,
        resource_id=resource.id,
        now=now(),
        allow_loopback=loopback_allowed(current_app.config),
    )
    db.session.commit()
    message, kind = _outcome(calendar, fetched, resource)
    return _answer(resource, message=message, kind=kind)


@bp.post("/resources/<resource_id>/calendars/<calendar_id>/remove")
def outside_calendar_remove(resource_id: str, calendar_id: str):
    resource = _resource(resource_id)
    name = manage.remove_calendar(db.session, g.organization, calendar_id, resource_id=resource.id)
    db.session.commit()
    return _answer(
        resource,
        message=_("%(name)s is removed; its events no longer block this resource.", name=name),
    )


def _outcome(calendar, fetched: reader.Fetched, resource, *, added=False) -> tuple[str, str]:
    """The toast that tells what a read found."""
    name = calendar.name
    if fetched.outcome == reader.POSTPONED:
        at = format_time(fetched.retry_at, _timezone(resource))
        return (
            _(
                "This organization’s calendars were read as often as an hour allows; "
                "%(name)s will be read at %(time)s.",
                name=name,
                time=at,
            ),
            "info",
        )
    if fetched.outcome == reader.ERROR:
        return (
            _(
                "%(name)s could not be read: %(error)s",
                name=name,
                error=reader.describe_error(fetched.error),
            ),
            "error",
        )
    if fetched.outcome == reader.NOT_MODIFIED:
        return _("%(name)s has not changed since it was last read.", name=name), "success"
    if added:
        return _("%(name)s is added; events found: %(n)s.", name=name, n=calendar.event_count), (
            "success"
        )
    return _("%(name)s is read; events found: %(n)s.", name=name, n=calendar.event_count), (
        "success"
    )
