"""Calendar feeds in the admin: the address a calendar app subscribes to, for the whole
organization (owners and admins) or for one resource (staff: the resources they provide).
Each feed's box is on the calendar feeds page; a resource's is also on its own page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, g, render_template, request, url_for
from flask_babel import gettext as _

from webapp.admin.blueprint import (
    after_action,
    bp,
    has_role,
    may_manage_resource,
    render,
    scoped_resources,
    toast,
)
from webapp.booking.errors import NotFound
from webapp.extensions import db
from webapp.i18n import translated
from webapp.manage import calendar_feeds as feeds
from webapp.manage.resources import get_resource
from webapp.models import CalendarFeed, Resource
from webapp.public.blueprint import now

# Where a plain (not HTMX) form goes back to.
BACK_TO_RESOURCE = "resource"


@dataclass(frozen=True)
class FeedBox:
    """What a feed's box shows: whose bookings, and the feed when there is one."""

    resource: Resource | None
    feed: CalendarFeed | None
    url: str | None
    last_read_at: datetime | None
    tz: ZoneInfo  # the organization's, for the last reading

    @property
    def element_id(self) -> str:
        return f"feed-{self.resource.id}" if self.resource else "feed-organization"

    @property
    def title(self) -> str:
        if self.resource is None:
            return _("All bookings of %(name)s", name=g.organization.name)
        return translated(self.resource.name, self.resource.name_translations)

    @property
    def subscribe_url(self) -> str | None:
        """The same address for the apps that subscribe when a ``webcal:`` link is opened."""
        return "webcal://" + self.url.split("://", 1)[1] if self.url else None


def feed_box(resource: Resource | None) -> FeedBox:
    feed = feeds.feed_for(db.session, g.organization, resource.id if resource else None, now=now())
    url = feeds.feed_url(feed) if feed else None
    last_read_at = feed.last_read_at if feed else None
    return FeedBox(resource, feed, url, last_read_at, ZoneInfo(g.organization.timezone))


def _check(resource_id: str | None) -> Resource | None:
    """The resource (None: the organization) whose feed the member may manage."""
    if resource_id is None:
        if not has_role("admin"):
            abort(403, description=_("Your role does not allow this."))
        return None
    if not may_manage_resource(resource_id):
        raise NotFound(_("Resource not found."))
    return get_resource(db.session, g.organization, resource_id)


@bp.get("/calendar/feeds")
def calendar_feeds():
    boxes = [feed_box(None)] if has_role("admin") else []
    boxes += [feed_box(resource) for resource in scoped_resources()]
    return render("admin/calendar_feeds/list.html", boxes=boxes, back="feeds")


@bp.post("/calendar/feeds")
def calendar_feed_create():
    resource = _check(request.form.get("resource_id") or None)
    feeds.feed_for(
        db.session, g.organization, resource.id if resource else None, create=True, now=now()
    )
    db.session.commit()
    return _done(resource, _("The feed is ready: add its address to your calendar app."))


@bp.post("/calendar/feeds/<feed_id>/regenerate")
def calendar_feed_regenerate(feed_id: str):
    feed = feeds.get_feed(db.session, g.organization, feed_id)
    resource = _check(feed.resource_id)
    feeds.regenerate(db.session, g.organization, feed, now())
    db.session.commit()
    return _done(
        resource, _("The feed has a new address. Calendars using the old one no longer update.")
    )


@bp.post("/calendar/feeds/<feed_id>/revoke")
def calendar_feed_revoke(feed_id: str):
    feed = feeds.get_feed(db.session, g.organization, feed_id)
    resource = _check(feed.resource_id)
    feeds.revoke(db.session, g.organization, feed)
    db.session.commit()
    return _done(resource, _("The feed is turned off. Calendars using it no longer update."))


def _done(resource: Resource | None, message: str):
    """HTMX: the box as it is now, with a toast; a plain form: back to its page."""
    if request.htmx:
        body = render_template(
            "admin/calendar_feeds/_feed.html",
            box=feed_box(resource),
            back=request.form.get("back"),
        )
        return toast(body, message)
    if resource is not None and request.form.get("back") == BACK_TO_RESOURCE:
        return after_action(url_for("admin.resource_edit", resource_id=resource.id), message)
    return after_action(url_for("admin.calendar_feeds"), message)
