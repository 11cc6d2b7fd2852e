"""The team: inviting people, their roles and the resources a staff member provides."""

from __future__ import annotations

from flask import g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.admin import ROLE_LABELS
from webapp.admin.auth import send_password_link
from webapp.admin.blueprint import after_action, bp, has_role, render, requires, scoped_resources
from webapp.admin.forms import FormReader
from webapp.booking.errors import ValidationFailed
from webapp.extensions import db
from webapp.i18n import translated
from webapp.manage import members as manage
from webapp.models import Member
from webapp.models.users import ROLES
from webapp.notify.messaging import send_email


def member_name(member: Member) -> str:
    return member.user.name or member.user.email


def _role_options() -> list[tuple[str, str]]:
    return [(role, str(ROLE_LABELS[role])) for role in manage.roles_for(g.member)]


def _resource_options() -> list[tuple[str, str]]:
    return [(r.id, translated(r.name, r.name_translations)) for r in scoped_resources()]


def _read(reader: FormReader) -> tuple[str | None, list[str]]:
    role = reader.choice("role", ROLES)
    resource_ids = reader.many("resource_ids", (value for value, _label in _resource_options()))
    return role, resource_ids


def _submitted() -> dict:
    values = request.form.to_dict()
    values["resource_ids"] = request.form.getlist("resource_ids")
    return values


def _list_page(values: dict, errors: dict, status: int = 200):
    return render(
        "admin/members/list.html",
        status,
        members=manage.list_members(db.session, g.organization),
        values=values,
        errors=errors,
        role_options=_role_options(),
        resource_options=_resource_options(),
        may_change=manage.may_change,
        member_name=member_name,
    )


@bp.get("/members")
@requires("admin")
def members_list():
    return _list_page({"role": "staff", "resource_ids": []}, {})


@bp.post("/members/invite")
@requires("admin")
def member_invite():
    reader = FormReader(request.form)
    email = reader.text("email", required=True, max_length=254)
    name = reader.text("name", max_length=manage.MAX_NAME)
    role, resource_ids = _read(reader)
    if reader:
        try:
            invitation = manage.invite_member(
                db.session,
                g.organization,
                g.member,
                email=email,
                name=name,
                role=role,
                resource_ids=resource_ids,
            )
        except ValidationFailed as error:
            db.session.rollback()
            reader.adopt(error)
        else:
            db.session.commit()
            _tell(invitation)
            return after_action(
                url_for("admin.members_list"),
                _("%(email)s is invited.", email=invitation.user.email),
            )
    return _list_page(_submitted(), reader.errors, 422)


def _tell(invitation: manage.Invitation) -> None:
    """A new person chooses a password from the email; someone with an account is told
    where to sign in."""
    organization = g.organization.name
    if invitation.new_account:
        send_password_link(invitation.user, invited_to=organization)
        return
    inviter = current_user.name or current_user.email
    send_email(
        invitation.user.email,
        _("You can now manage %(name)s", name=organization),
        _(
            "%(inviter)s added you to %(name)s on Mawid as %(role)s. Sign in with your "
            "account to start:\n\n%(link)s",
            inviter=inviter,
            name=organization,
            role=ROLE_LABELS[invitation.member.role],
            link=url_for("admin.login", _external=True),
        ),
    )


@bp.route("/members/<member_id>", methods=["GET", "POST"])
@requires("admin")
def member_edit(member_id: str):
    member = manage.get_member(db.session, g.organization, member_id)
    if request.method == "GET":
        values = {"role": member.role, "resource_ids": [r.id for r in member.resources]}
        return _form_page(member, values, {})
    if not manage.may_change(g.member, member):
        raise manage.NotAllowed(_("Only an owner can change or remove an owner."))
    reader = FormReader(request.form)
    role, resource_ids = _read(reader)
    if reader:
        try:
            manage.change_member(
                db.session, g.organization, g.member, member, role=role, resource_ids=resource_ids
            )
        except ValidationFailed as error:
            db.session.rollback()
            reader.adopt(error)
        else:
            db.session.commit()
            # Someone who just gave up managing the team lands where they still may go.
            target = "admin.members_list" if has_role("admin") else "admin.dashboard"
            return after_action(url_for(target), _("%(name)s is saved.", name=member_name(member)))
    return _form_page(member, _submitted(), reader.errors, 422)


def _form_page(member: Member, values: dict, errors: dict, status: int = 200):
    return render(
        "admin/members/form.html",
        status,
        member=member,
        values=values,
        errors=errors,
        role_options=_role_options(),
        resource_options=_resource_options(),
        may_change=manage.may_change(g.member, member),
        is_me=member.id == g.member.id,
        member_name=member_name,
    )


@bp.post("/members/<member_id>/remove")
@requires("admin")
def member_remove(member_id: str):
    member = manage.get_member(db.session, g.organization, member_id)
    name, leaving = member_name(member), member.id == g.member.id
    organization = g.organization.name
    try:
        manage.remove_member(db.session, g.organization, g.member, member)
    except ValidationFailed as error:
        db.session.rollback()
        return after_action(
            url_for("admin.member_edit", member_id=member_id), error.message, "error"
        )
    db.session.commit()
    if leaving:
        return after_action(url_for("admin.dashboard"), _("You left %(name)s.", name=organization))
    return after_action(
        url_for("admin.members_list"), _("%(name)s no longer has access.", name=name)
    )
