"""Working hours (time rules) and time off (off rules) of a resource.

Staff edit the rules of the resources they provide; owners and admins those of every
resource. The editors themselves (reading the form, editing buttons, saving) live in
``hours_editor`` and ``time_off_editor`` (re-exported here), so that another surface can show
the same partials and post to its own URL.
"""

from __future__ import annotations

from flask import g, request, url_for
from flask_babel import gettext as _

from webapp.admin.blueprint import after_action, bp, may_manage_resource, render
from webapp.admin.hours_editor import (
    TIME_EDITOR_ID,
    apply_time_rules_op,
    read_time_rules_form,
    submit_time_rules,
    time_rules_document,
    time_rules_values,
)
from webapp.admin.rules_editor import EditorResult
from webapp.admin.time_off_editor import (
    OFF_EDITOR_ID,
    apply_off_rules_op,
    off_rules_document,
    off_rules_values,
    read_off_rules_form,
    submit_off_rules,
)
from webapp.booking.errors import NotFound
from webapp.extensions import db
from webapp.manage import resources as manage_resources
from webapp.manage import rules as manage
from webapp.models import Resource


def _resource_or_404(resource_id: str) -> Resource:
    if not may_manage_resource(resource_id):
        raise NotFound(_("Resource not found."))
    return manage_resources.get_resource(db.session, g.organization, resource_id)


def _page(template: str, editor: str, resource: Resource, result: EditorResult, endpoint: str):
    return render(
        f"admin/rules/{template}.html",
        result.status,
        partial=f"admin/rules/_{template}_editor.html",
        target=editor,
        resource=resource,
        values=result.values,
        errors=result.errors,
        form_action=url_for(endpoint, resource_id=resource.id),
        hidden_fields={},
        timezone=manage.resource_timezone(g.organization, resource),
    )


@bp.route("/resources/<resource_id>/time-rules", methods=["GET", "POST"])
def rules_time(resource_id: str):
    resource = _resource_or_404(resource_id)
    if request.method == "GET":
        row = manage.get_time_rules(db.session, g.organization, resource)
        result = EditorResult(time_rules_values(row))
    else:
        result = submit_time_rules(db.session, g.organization, resource, request.form)
        if result.saved:
            db.session.commit()
            return after_action(
                url_for("admin.rules_time", resource_id=resource.id), _("Working hours saved.")
            )
    return _page("time", TIME_EDITOR_ID, resource, result, "admin.rules_time")


@bp.route("/resources/<resource_id>/off-rules", methods=["GET", "POST"])
def rules_off(resource_id: str):
    resource = _resource_or_404(resource_id)
    if request.method == "GET":
        row = manage.get_off_rules(db.session, g.organization, resource)
        result = EditorResult(off_rules_values(row))
    else:
        result = submit_off_rules(db.session, g.organization, resource, request.form)
        if result.saved:
            db.session.commit()
            return after_action(
                url_for("admin.rules_off", resource_id=resource.id), _("Time off saved.")
            )
    return _page("off", OFF_EDITOR_ID, resource, result, "admin.rules_off")


# The editors' building blocks, for surfaces that embed them.
__all__ = [
    "EditorResult",
    "OFF_EDITOR_ID",
    "TIME_EDITOR_ID",
    "apply_off_rules_op",
    "apply_time_rules_op",
    "off_rules_document",
    "off_rules_values",
    "read_off_rules_form",
    "read_time_rules_form",
    "submit_off_rules",
    "submit_time_rules",
    "time_rules_document",
    "time_rules_values",
]
