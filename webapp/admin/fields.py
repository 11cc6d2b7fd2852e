"""Custom fields: the questions the booking form asks about customers and bookings.

The options editor works without JavaScript: its add and remove buttons post the form with
an ``op`` and the page comes back with the rows changed, nothing saved. With HTMX only the
form is swapped."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from itertools import zip_longest

from flask import abort, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.admin.blueprint import after_action, bp, render, requires
from webapp.admin.forms import FormReader, save_and_go
from webapp.booking.errors import ValidationFailed
from webapp.extensions import db
from webapp.i18n import translated
from webapp.manage import fields as manage
from webapp.models import BookingType, CustomField
from webapp.models.custom_fields import CORE_CUSTOMER_FIELDS, FIELD_TYPES, TEXT_TYPES

TYPE_LABELS = {
    "text": _l("Short text"),
    "paragraph": _l("Long text"),
    "number": _l("Number"),
    "options": _l("Options"),
    "location": _l("Location"),
    "photo": _l("Photo"),
    "photos": _l("Photos"),
    "file": _l("File"),
    "files": _l("Files"),
    "paragraph-readonly": _l("Text to read (not a question)"),
}
TEXT_TYPE_LABELS = {"": _l("Any text"), "phone": _l("Phone number"), "email": _l("Email address")}
VISIBILITY_LABELS = {
    "public": _l("Customers and staff"),
    "providerOnly": _l("Staff only"),
}
# How codes reach a phone: the first method is the one used.
PHONE_AUTH_CHOICES = {
    "": ((), _l("By SMS (the default)")),
    "sms": (("sms",), _l("By SMS")),
    "whatsapp": (("whatsapp",), _l("By WhatsApp")),
    "sms,whatsapp": (("sms", "whatsapp"), _l("By SMS, or WhatsApp")),
    "whatsapp,sms": (("whatsapp", "sms"), _l("By WhatsApp, or SMS")),
}
SMS_SENDER_LABELS = {"app": _l("Mawid’s sender name"), "custom": _l("The organization’s own")}
COUNTRY_RULE_LABELS = {
    "all": _l("Every country"),
    "specific": _l("Only the countries listed"),
    "forbidden": _l("Every country except those listed"),
}
OPTION_COLUMNS = ("value", "label", "label_ar", "minutes", "price")
SCOPE_TITLES = {"customer": _l("Customer fields"), "booking": _l("Booking fields")}


def _types() -> list[BookingType]:
    return list(
        db.session.scalars(
            select(BookingType)
            .where(BookingType.organization_id == g.organization.id)
            .order_by(BookingType.position, BookingType.name)
        )
    )


# -- the list ---------------------------------------------------------------------------------


@bp.get("/fields")
@requires("admin")
def fields_list():
    type_names = {t.id: translated(t.name, t.name_translations) for t in _types()}
    return render(
        "admin/fields/list.html",
        sections=[
            (scope, SCOPE_TITLES[scope], _entries(scope)) for scope in ("booking", "customer")
        ],
        type_names=type_names,
        type_labels=TYPE_LABELS,
        visibility_labels=VISIBILITY_LABELS,
    )


def _entries(scope: str) -> list[dict]:
    """Each field of the scope with where to edit it; core customer fields that were never
    changed are listed with what the website assumes for them."""
    entries = [
        {"values": manage.values_of(f), "url": url_for("admin.field_edit", field_id=f.id)}
        for f in manage.list_fields(db.session, g.organization, scope)
    ]
    if scope == "customer":
        stored = {entry["values"].key for entry in entries}
        for key in CORE_CUSTOMER_FIELDS:
            if key not in stored:
                entries.append(
                    {
                        "values": manage.core_defaults(key),
                        "url": url_for("admin.field_new", scope="customer", key=key),
                    }
                )
        entries.sort(key=lambda e: (e["values"].position, e["values"].key))
    for entry in entries:
        values = entry["values"]
        entry["role"] = _role(values)
        entry["core"] = values.is_core
    return entries


def _role(values: manage.FieldValues) -> str:
    if values.scope == "customer":
        return _("Customer details")
    if values.filter_resources:
        return _("Resource filter")
    if values.adjusts_time:
        return _("Time adjuster")
    return _("Booking information")


# -- the form ---------------------------------------------------------------------------------


def _state_of(values: manage.FieldValues) -> dict:
    """What the form shows for stored (or default) values."""
    return {
        "scope": values.scope,
        "key": values.key,
        "name": values.name,
        "name_ar": values.name_translations.get("ar", ""),
        "type": values.type,
        "text_type": values.text_type or "",
        "optional": values.optional,
        "enabled": values.enabled,
        "visibility": values.visibility,
        "position": values.position,
        "options": [
            {
                "value": o.get("value", ""),
                "label": o.get("label", ""),
                "label_ar": (o.get("label_translations") or {}).get("ar", ""),
                "minutes": o.get("minutes") or "",
                "price": o.get("price") or "",
            }
            for o in values.options
        ],
        "multiple": values.multiple,
        "filter_resources": values.filter_resources,
        "types": values.types,
        "minutes": values.minutes if values.minutes is not None else "",
        "price": values.price if values.price is not None else "",
        "min_value": _plain(values.min_value),
        "max_value": _plain(values.max_value),
        "placeholder": values.placeholder,
        "placeholder_ar": values.placeholder_translations.get("ar", ""),
        "content": values.content,
        "content_ar": values.content_translations.get("ar", ""),
        "phone_auth": ",".join(values.phone_auth_methods),
        "sms_sender": values.sms_sender,
        "default_country": values.default_country or "",
        "allowed_countries": values.allowed_countries,
        "allowed_countries_list": ", ".join(values.allowed_countries_list),
        "forbidden_countries_list": ", ".join(values.forbidden_countries_list),
    }


def _plain(number: Decimal | None) -> str:
    return "" if number is None else format(number.normalize(), "f")


def _posted_state(scope: str, core_key: str | None) -> dict:
    """What the form shows again after a post: exactly what was typed."""
    form = request.form
    state = {name: form.get(name, "") for name in _TEXT_INPUTS}
    for name in _CHECKBOXES:
        state[name] = form.get(name) in {"1", "on", "true"}
    state["scope"] = scope
    state["types"] = form.getlist("types")
    state["options"] = _posted_options()
    if core_key:
        state.update(key=core_key, type="text", text_type=manage.CORE_TEXT_TYPES[core_key] or "")
    return state


_TEXT_INPUTS = (
    "key",
    "name",
    "name_ar",
    "type",
    "text_type",
    "visibility",
    "position",
    "minutes",
    "price",
    "min_value",
    "max_value",
    "placeholder",
    "placeholder_ar",
    "content",
    "content_ar",
    "phone_auth",
    "sms_sender",
    "default_country",
    "allowed_countries",
    "allowed_countries_list",
    "forbidden_countries_list",
)
_CHECKBOXES = ("optional", "enabled", "multiple", "filter_resources")


def _posted_options() -> list[dict]:
    columns = [request.form.getlist(f"option_{name}") for name in OPTION_COLUMNS]
    rows = [
        dict(zip(OPTION_COLUMNS, (cell or "" for cell in cells), strict=True))
        for cells in zip_longest(*columns, fillvalue="")
    ]
    return rows[: manage.MAX_OPTIONS + 1]


def _blank_option() -> dict:
    return dict.fromkeys(OPTION_COLUMNS, "")


def _apply_op(state: dict, op: str) -> None:
    """The options editor's buttons: add a row, remove one; "refresh" only redraws."""
    rows = state["options"]
    if op == "add-option" and len(rows) < manage.MAX_OPTIONS:
        rows.append(_blank_option())
    elif op.startswith("remove-option-"):
        index = op.removeprefix("remove-option-")
        if index.isdigit() and int(index) < len(rows):
            rows.pop(int(index))


def _form_page(custom_field, state: dict, errors: dict, form_url: str, status: int = 200):
    if state["type"] == "options" and not state["options"]:
        state["options"] = [_blank_option()]
    return render(
        "admin/fields/form.html",
        status,
        partial="admin/fields/_form.html",
        target="field-form",
        custom_field=custom_field,
        values=state,
        errors=errors,
        form_url=form_url,
        option_errors=_option_errors(errors),
        core=state["scope"] == "customer" and state["key"] in CORE_CUSTOMER_FIELDS,
        type_options=[(t, TYPE_LABELS[t]) for t in FIELD_TYPES],
        text_type_options=list(TEXT_TYPE_LABELS.items()),
        visibility_options=list(VISIBILITY_LABELS.items()),
        phone_auth_options=[(k, label) for k, (_m, label) in PHONE_AUTH_CHOICES.items()],
        sms_sender_options=list(SMS_SENDER_LABELS.items()),
        country_rule_options=list(COUNTRY_RULE_LABELS.items()),
        service_options=[(t.id, translated(t.name, t.name_translations)) for t in _types()],
        currency=g.organization.currency,
    )


def _option_errors(errors: dict) -> dict[int, list[str]]:
    """{row number: its messages}, for the options editor."""
    found: dict[int, list[str]] = {}
    for name, message in errors.items():
        parts = name.split("-")
        if len(parts) == 3 and parts[0] == "option" and parts[1].isdigit():
            found.setdefault(int(parts[1]), []).append(message)
    return found


def _read(reader: FormReader, scope: str, core_key: str | None, custom_field):
    """The posted values, or None with every problem recorded on ``reader``."""
    form = request.form
    field_type = reader.choice("type", FIELD_TYPES, default="text")
    text_type = reader.choice("text_type", ("", *TEXT_TYPES), default="")
    phone_auth = reader.choice("phone_auth", PHONE_AUTH_CHOICES, default="")
    values = manage.FieldValues(
        scope=scope,
        key=core_key or reader.text("key", required=True, max_length=64),
        name=reader.text("name", required=True),
        type=field_type,
        name_translations=reader.translations("name"),
        text_type=text_type or None,
        optional=reader.boolean("optional"),
        enabled=reader.boolean("enabled"),
        visibility=reader.choice("visibility", manage.VISIBILITIES, default="public"),
        multiple=reader.boolean("multiple"),
        filter_resources=reader.boolean("filter_resources"),
        types=reader.many("types", (t.id for t in _types())),
        minutes=reader.optional_integer("minutes", minimum=0, maximum=manage.MAX_ADDED_MINUTES),
        price=reader.amount("price"),
        min_value=_number(reader, "min_value"),
        max_value=_number(reader, "max_value"),
        placeholder=reader.text("placeholder"),
        placeholder_translations=reader.translations("placeholder"),
        content=reader.text("content", max_length=5000),
        content_translations=reader.translations("content", max_length=5000),
        phone_auth_methods=list(PHONE_AUTH_CHOICES[phone_auth][0]),
        sms_sender=reader.choice("sms_sender", manage.SMS_SENDERS, default="app"),
        default_country=(form.get("default_country") or "").strip().upper()[:8] or None,
        allowed_countries=reader.choice("allowed_countries", manage.COUNTRY_RULES, default="all"),
        allowed_countries_list=_countries(form.get("allowed_countries_list")),
        forbidden_countries_list=_countries(form.get("forbidden_countries_list")),
        position=reader.integer("position", minimum=0, maximum=10_000, default=0),
    )
    rows = _read_options(reader) if values.type == "options" else []
    values.options = [option for _index, option in rows]
    values = manage.normalized(values)
    problems = manage.problems_of(db.session, g.organization, values, custom_field)
    for name, message in _posted_names(problems, rows).items():
        reader.fail(name, message)
    return (values, rows) if reader else (None, rows)


def _number(reader: FormReader, name: str) -> Decimal | None:
    raw = (request.form.get(name) or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or abs(number) > 10**9:
        reader.fail(name, _("Enter a number such as 1 or 2.5."))
        return None
    return number


def _countries(text: str | None) -> list[str]:
    parts = (text or "").replace(";", ",").replace(" ", ",").split(",")
    return list(dict.fromkeys(part.strip().upper() for part in parts if part.strip()))[:300]


def _read_options(reader: FormReader) -> list[tuple[int, dict]]:
    """(row number on the form, option) of each row with something in it."""
    found = []
    for index, row in enumerate(_posted_options()):
        if not any(str(cell).strip() for cell in row.values()):
            continue  # an empty row (the "add" button's) is left out
        minutes = None
        if row["minutes"].strip():
            try:
                minutes = int(row["minutes"])
            except ValueError:
                reader.fail(f"option-{index}-minutes", _("Enter a whole number."))
        price = None
        if row["price"].strip():
            try:
                price = Decimal(row["price"].strip().replace(",", "."))
            except InvalidOperation:
                price = None
            if price is None or not price.is_finite():
                reader.fail(f"option-{index}-price", _("Enter an amount such as 150 or 99.50."))
                price = None
        option = {
            "value": row["value"].strip(),
            "label": row["label"].strip(),
            "label_translations": {"ar": row["label_ar"].strip()} if row["label_ar"] else {},
            "minutes": minutes,
            "price": price,
        }
        found.append((index, option))
    return found


def _posted_names(problems: dict, rows: list[tuple[int, dict]]) -> dict:
    """The service's option-<n>-... names, renamed to the rows as posted."""
    renamed = {}
    for name, message in problems.items():
        parts = name.split("-")
        if len(parts) == 3 and parts[0] == "option" and parts[1].isdigit():
            number = int(parts[1])
            if number < len(rows):
                name = f"option-{rows[number][0]}-{parts[2]}"
        renamed[name] = message
    return renamed


@bp.route("/fields/new", methods=["GET", "POST"])
@requires("admin")
def field_new():
    scope = request.args.get("scope", "booking")
    if scope not in manage.SCOPES:
        abort(404)
    core_key = request.args.get("key") if scope == "customer" else None
    if core_key not in CORE_CUSTOMER_FIELDS:
        core_key = None
    form_url = url_for("admin.field_new", scope=scope, key=core_key)
    if core_key:
        existing = db.session.scalar(
            select(CustomField.id).where(
                CustomField.organization_id == g.organization.id,
                CustomField.scope == "customer",
                CustomField.key == core_key,
            )
        )
        if existing:  # already changed once: edit that row
            return redirect(url_for("admin.field_edit", field_id=existing), 303)
    if request.method == "GET":
        if core_key:
            start = manage.core_defaults(core_key)
        else:
            start = manage.FieldValues(scope=scope, key="", name="", position=_next_position(scope))
        return _form_page(None, _state_of(start), {}, form_url)
    return _save(None, scope, core_key, form_url)


def _next_position(scope: str) -> int:
    fields = manage.list_fields(db.session, g.organization, scope)
    return min(max((f.position or 0 for f in fields), default=-1) + 1, 10_000)


@bp.route("/fields/<field_id>", methods=["GET", "POST"])
@requires("admin")
def field_edit(field_id: str):
    custom_field = manage.get_field(db.session, g.organization, field_id)
    form_url = url_for("admin.field_edit", field_id=custom_field.id)
    if request.method == "GET":
        return _form_page(custom_field, _state_of(manage.values_of(custom_field)), {}, form_url)
    core_key = custom_field.key if custom_field.key in CORE_CUSTOMER_FIELDS else None
    if custom_field.scope != "customer":
        core_key = None
    return _save(custom_field, custom_field.scope, core_key, form_url)


def _save(custom_field, scope: str, core_key: str | None, form_url: str):
    op = request.form.get("op")
    if op:
        state = _posted_state(scope, core_key)
        _apply_op(state, op)
        return _form_page(custom_field, state, {}, form_url)
    reader = FormReader(request.form)
    values, _rows = _read(reader, scope, core_key, custom_field)
    done = save_and_go(
        reader,
        values,
        lambda: manage.save_field(db.session, g.organization, values, custom_field),
        lambda row: url_for("admin.field_edit", field_id=row.id),
    )
    if done is not None:
        return done
    return _form_page(custom_field, _posted_state(scope, core_key), reader.errors, form_url, 422)


@bp.post("/fields/<field_id>/delete")
@requires("admin")
def field_delete(field_id: str):
    custom_field = manage.get_field(db.session, g.organization, field_id)
    name = custom_field.name
    try:
        manage.delete_field(db.session, g.organization, custom_field.id)
    except ValidationFailed as error:
        db.session.rollback()
        return after_action(url_for("admin.field_edit", field_id=field_id), error.message, "error")
    db.session.commit()
    return after_action(url_for("admin.fields_list"), _("%(name)s is deleted.", name=name))
