"""Resources (who or what is booked) and their categories."""

from __future__ import annotations

from flask import abort, current_app, g, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from webapp.admin.blueprint import (
    after_action,
    bp,
    has_role,
    may_manage_resource,
    render,
    requires,
    scoped_resources,
)
from webapp.admin.calendar_feeds import feed_box
from webapp.admin.forms import FormReader, posted, save_and_go
from webapp.booking.errors import NotFound, ValidationFailed
from webapp.extensions import db
from webapp.i18n import translated
from webapp.manage import resources as manage
from webapp.models import BookingType, ResourceCategory
from webapp.uploads import UploadRejected, save_upload


def _categories() -> list[ResourceCategory]:
    return list(
        db.session.scalars(
            select(ResourceCategory)
            .where(ResourceCategory.organization_id == g.organization.id)
            .order_by(ResourceCategory.position, ResourceCategory.name)
        )
    )


def _types() -> list[BookingType]:
    return list(
        db.session.scalars(
            select(BookingType)
            .where(BookingType.organization_id == g.organization.id)
            .order_by(BookingType.position, BookingType.name)
        )
    )


def _resource_or_404(resource_id: str):
    if not may_manage_resource(resource_id):
        raise NotFound(_("Resource not found."))
    return manage.get_resource(db.session, g.organization, resource_id)


@bp.get("/resources")
def resources_list():
    return render(
        "admin/resources/list.html",
        resources=scoped_resources(),
        categories=_categories(),
        category_errors={},
    )


def _form_page(resource, values: dict, errors: dict, status: int = 200):
    return render(
        "admin/resources/form.html",
        status,
        resource=resource,
        values=values,
        errors=errors,
        category_options=[(c.id, translated(c.name, c.name_translations)) for c in _categories()],
        type_options=[(t.id, translated(t.name, t.name_translations)) for t in _types()],
        feed_box=feed_box(resource) if resource is not None else None,
    )


def _values_of(resource) -> dict:
    if resource is None:
        return {"on": True, "book_from_website": True, "type_ids": []}
    return {
        "name": resource.name,
        "name_ar": resource.name_translations.get("ar", ""),
        "description": resource.description,
        "description_ar": resource.description_translations.get("ar", ""),
        "category_id": resource.category_id,
        "timezone": resource.timezone or "",
        "on": resource.on,
        "book_from_website": resource.book_from_website,
        "type_ids": [t.id for t in resource.booking_types],
        "meta": manage.format_meta(resource.meta),
        "provider_email": resource.provider_email or "",
        "provider_phone": resource.provider_phone or "",
        "position": resource.position,
    }


def _read(reader: FormReader) -> manage.ResourceValues | None:
    values = manage.ResourceValues(
        name=reader.text("name", required=True),
        name_translations=reader.translations("name"),
        description=reader.text("description", max_length=5000),
        description_translations=reader.translations("description", max_length=5000),
        category_id=reader.choice("category_id", {"", *(c.id for c in _categories())}, default=""),
        timezone=reader.timezone("timezone", required=False),
        on=reader.boolean("on"),
        book_from_website=reader.boolean("book_from_website"),
        type_ids=reader.many("type_ids", (t.id for t in _types())),
        provider_email=reader.optional_text("provider_email", max_length=254),
        provider_phone=reader.optional_text("provider_phone", max_length=32),
        position=reader.integer("position", minimum=0, maximum=10_000, default=0),
    )
    try:
        values.meta = manage.parse_meta(reader.text("meta", max_length=10_000))
    except ValidationFailed as error:
        reader.adopt(error)
    photo = request.files.get("photo")
    if photo and photo.filename:
        try:
            kept = save_upload(
                g.organization.id,
                photo,
                kind="photo",
                max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
                folder=current_app.config["MEDIA_FOLDER"],
            )
        except UploadRejected as error:
            reader.fail("photo", error.message)
        else:
            values.photo = {
                "key": kept["key"],
                "url": url_for("media", organization_id=g.organization.id, key=kept["key"]),
            }
    if reader.boolean("remove_photo"):
        values.photo = {}
    return values if reader else None


@bp.route("/resources/new", methods=["GET", "POST"])
@requires("admin")
def resource_new():
    return _save(None)


@bp.route("/resources/<resource_id>", methods=["GET", "POST"])
def resource_edit(resource_id: str):
    resource = _resource_or_404(resource_id)
    if request.method == "POST" and not has_role("admin"):
        abort(403, description=_("Your role does not allow this."))
    return _save(resource)


def _save(resource):
    if request.method == "GET":
        return _form_page(resource, _values_of(resource), {})
    reader = FormReader(request.form)
    values = _read(reader)
    done = save_and_go(
        reader,
        values,
        lambda: manage.save_resource(db.session, g.organization, values, resource),
        lambda row: url_for("admin.resource_edit", resource_id=row.id),
    )
    if done is not None:
        return done
    shown = posted(reader, lists=("type_ids",), flags=("on", "book_from_website"))
    return _form_page(resource, shown, reader.errors, 422)


@bp.post("/resources/<resource_id>/delete")
@requires("admin")
def resource_delete(resource_id: str):
    resource = _resource_or_404(resource_id)
    name = resource.name
    try:
        manage.delete_resource(db.session, g.organization, resource.id)
    except ValidationFailed as error:
        db.session.rollback()
        return after_action(
            url_for("admin.resource_edit", resource_id=resource_id), error.message, "error"
        )
    db.session.commit()
    return after_action(url_for("admin.resources_list"), _("%(name)s is deleted.", name=name))


@bp.post("/resources/categories")
@requires("admin")
def category_create():
    reader = FormReader(request.form)
    name = reader.text("name", required=True)
    translations = reader.translations("name")
    if reader:
        manage.save_category(db.session, g.organization, name=name, name_translations=translations)
        db.session.commit()
        return after_action(url_for("admin.resources_list"), _("The category is added."))
    return render(
        "admin/resources/list.html",
        422,
        resources=scoped_resources(),
        categories=_categories(),
        category_errors=reader.errors,
    )
