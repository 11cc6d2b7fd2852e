"""The signed-in customer's own things (seed 002): My Profile and My Invoices, and what every
customer call shares: the customer's bookings and how they are written, the custom fields a
customer may see, and writes that an ``Idempotency-Key`` makes safe to retry."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from flask import g, request
from flask_babel import gettext as _
from sqlalchemy import select

from webapp.api import billing, inputs
from webapp.api.blueprint import answer_once, body, bp, customer_required, ok
from webapp.api.pagination import decode, pagination, read_limit
from webapp.api.shapes import bookings as shapes
from webapp.auth import otp
from webapp.booking import queue
from webapp.booking.errors import NotFound, ValidationFailed
from webapp.extensions import db
from webapp.models import Booking, BookingStatus, Customer, CustomField, Invoice
from webapp.models.custom_fields import CORE_CUSTOMER_FIELDS
from webapp.public import fields as form_fields
from webapp.public.blueprint import now

NAME_LIMIT = 100  # the customer's name columns
NOTE_LIMIT = 5000
INVOICE_LIST = "customer.invoices"
# The customer's identity: changing it is signing in with another address, not an edit.
IDENTITY = {"email": "email", "phoneNumber": "phone"}


# --- shared by the customer calls ----------------------------------------------------------


def field_rows(scope: str) -> list[CustomField]:
    """The organization's custom fields of a scope, switched-off ones too: a core customer
    field switched off must stay off rather than come back as the built-in default."""
    return list(
        db.session.scalars(
            select(CustomField)
            .where(CustomField.organization_id == g.organization.id, CustomField.scope == scope)
            .order_by(CustomField.position, CustomField.key)
        )
    )


def public_keys(rows: Iterable[CustomField]) -> set[str]:
    """Answers a customer may read back: staff-only fields stay with staff."""
    return {row.key for row in rows if row.visibility == "public"}


def own_booking(booking_id: object) -> Booking:
    """The signed-in customer's booking; another customer's or organization's answers like an
    unknown id."""
    found = None
    if isinstance(booking_id, str) and booking_id:
        found = db.session.scalar(
            select(Booking).where(
                Booking.organization_id == g.organization.id,
                Booking.customer_id == g.customer.id,
                Booking.id == booking_id[:64],
                Booking.status != BookingStatus.TEMPORARY,
            )
        )
    if found is None:
        raise NotFound(_("Booking not found."), field="bookingId")
    return found


def bookings_json(rows: list[Booking]) -> list[dict]:
    """Bookings as the customer sees them, with their invoices, payment links and places in
    the queue."""
    info_keys = public_keys(field_rows("booking"))
    invoices = billing.invoices_by_booking([b.id for b in rows])
    links = billing.booking_links(rows, invoices)
    places = queue.positions(db.session, rows, now())
    return [
        shapes.booking(
            row,
            timezone=g.site.timezone,
            invoice=invoices.get(row.id),
            queue_position=places.get(row.id),
            info_keys=info_keys,
            links=links.get(row.id),
        )
        for row in rows
    ]


def booking_json(row: Booking) -> dict:
    return bookings_json([row])[0]


def idempotent(operation: str, data: dict, action: Callable[[], tuple[int, str]]):
    """Run ``action`` once per ``Idempotency-Key``: a retry gets the first answer byte for
    byte (with ``Idempotent-Replayed: true``), the key with another body 422. Commits.
    Answers the response and whether the work was done now (not replayed)."""
    payload = {"customer": g.customer.id, "body": data}
    response = answer_once(g.organization.id, operation, payload, action)
    return response, "Idempotent-Replayed" not in response.headers


def envelope_text(result: dict, status: int = 200) -> tuple[int, str]:
    """An answer as the status and exact text that a replay sends again."""
    return status, ok(result, status).get_data(as_text=True)


def apply_answers(
    customer: Customer, found: Mapping[str, object], field_name: Callable[[str], str]
) -> None:
    """Checked answers to customer fields into the profile; ``field_name`` says how errors
    name a field. The email and phone a customer signs in with are who they are: the same
    value is fine, another one (or none) is refused."""
    for key, column in IDENTITY.items():
        if key in found and found[key] != getattr(customer, column):
            raise ValidationFailed(
                _(
                    "The email address and mobile number you sign in with cannot be changed "
                    "here. Sign in with the new one instead."
                ),
                field=field_name(key),
            )
    for key, column in (("firstName", "first_name"), ("lastName", "last_name")):
        if key not in found:
            continue
        value = str(found[key] or "")
        if len(value) > NAME_LIMIT:
            raise ValidationFailed(
                _("Use at most %(n)d characters.", n=NAME_LIMIT), field=field_name(key)
            )
        setattr(customer, column, value)
    extra = {k: v for k, v in found.items() if k not in IDENTITY and k not in CORE_CUSTOMER_FIELDS}
    if extra:
        customer.data = {**(customer.data or {}), **extra}
    customer.updated_at = now()


# --- My Profile ----------------------------------------------------------------------------


def _profile_json() -> dict:
    return shapes.customer(g.customer, data_keys=public_keys(field_rows("customer")))


@bp.get("/customer/profile")
@customer_required
def profile_get():
    return ok(_profile_json())


@bp.put("/customer/profile")
@customer_required
def profile_update():
    data = body()
    rows = field_rows("customer")
    specs = form_fields.customer_specs(rows)
    core = {s.key: s for s in specs if s.key in CORE_CUSTOMER_FIELDS}
    found: dict[str, object] = {}
    for name, key in (("firstName", "firstName"), ("lastName", "lastName")):
        if name in data:
            found[key] = _core_text(data, name, core.get(key))
    for name, key in (("email", "email"), ("phone", "phoneNumber")):
        if name in data:
            found[key] = _identity(data, name, rows)
    note = inputs.text(data, "note", limit=NOTE_LIMIT) if "note" in data else None
    custom = [s for s in specs if s.key not in CORE_CUSTOMER_FIELDS]
    found.update(inputs.answers(custom, data.get("data"), member="data", partial=True))
    try:
        # Errors name the body's own members (phone, not the field id phoneNumber).
        apply_answers(g.customer, found, lambda key: {"phoneNumber": "phone"}.get(key, key))
    except ValidationFailed:
        inputs.forget_uploads(custom, found)
        raise
    if "note" in data:
        g.customer.note = note or ""
    db.session.commit()
    return ok(_profile_json())


def _core_text(data: dict, name: str, spec: form_fields.FieldSpec | None) -> str:
    value = inputs.text(data, name, limit=NAME_LIMIT) or ""
    if not value and spec is not None and spec.required:
        raise ValidationFailed(_("%(label)s is required.", label=spec.label), field=name)
    return value


def _identity(data: dict, name: str, rows: list[CustomField]) -> str | None:
    """The email or phone given, normalized as sign-in does, to compare with the stored one."""
    raw = inputs.text(data, name, limit=254)
    if raw is None:
        return None
    country = next((r.default_country for r in rows if r.key == "phoneNumber"), None)
    try:
        return otp.normalize_identifier("email" if name == "email" else "sms", raw, country)
    except ValidationFailed:
        message = (
            _("Enter a valid email address.")
            if name == "email"
            else _("Enter a valid phone number, with the country code (for example +966501234567).")
        )
        raise ValidationFailed(message, field=name) from None


# --- My Invoices ---------------------------------------------------------------------------


def _invoice_json(row: Invoice) -> dict:
    booking_row = None
    if row.booking_id:
        booking_row = db.session.scalar(
            select(Booking).where(
                Booking.organization_id == g.organization.id, Booking.id == row.booking_id
            )
        )
    return shapes.invoice(
        row,
        booking_row=booking_row,
        timezone=g.site.timezone,
        links=billing.invoice_links(row, booking_row),
        payments=billing.payments_of([row.id]).get(row.id, []),
    )


@bp.get("/customer/invoices")
@customer_required
def invoices_list():
    limit = read_limit(request.args.get("limit"), default=10)
    position = decode(INVOICE_LIST, request.args.get("nextPageToken"))
    statement = (
        select(Invoice)
        .where(Invoice.organization_id == g.organization.id, Invoice.customer_id == g.customer.id)
        .order_by(Invoice.number.desc())
        .limit(limit + 1)
    )
    if position:
        if not isinstance(position[0], int):
            raise ValidationFailed(_("This nextPageToken is not valid."), field="nextPageToken")
        statement = statement.where(Invoice.number < position[0])
    rows = list(db.session.scalars(statement))
    more = len(rows) > limit
    rows = rows[:limit]
    following = [rows[-1].number] if more else None
    return ok([_invoice_json(r) for r in rows], pagination=pagination(following, INVOICE_LIST))


@bp.get("/customer/invoices/<invoice_id>")
@customer_required
def invoice_get(invoice_id: str):
    row = db.session.scalar(
        select(Invoice).where(
            Invoice.organization_id == g.organization.id,
            Invoice.customer_id == g.customer.id,
            Invoice.id == invoice_id[:64],
        )
    )
    if row is None:
        raise NotFound(_("Invoice not found."), field="invoiceId")
    return ok(_invoice_json(row))
