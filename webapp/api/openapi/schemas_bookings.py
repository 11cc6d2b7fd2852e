"""Bookings, customers and invoices, and the bodies that book, move and change them."""

from __future__ import annotations

from webapp.api.openapi.model import (
    BOOLEAN,
    INSTANT,
    INTEGER,
    MILITARY,
    MONEY,
    NULLABLE_INSTANT,
    NULLABLE_INTEGER,
    NULLABLE_MONEY,
    NULLABLE_STRING,
    OBJECT,
    STRING,
    array,
    described,
    nullable,
    obj,
    ref,
)
from webapp.booking.lifecycle import HOLD_MINUTES_RANGE
from webapp.booking.waiting import DEFAULT_TIMEOUT, TIMEOUT_RANGE
from webapp.models import BookingStatus
from webapp.models.invoices import INVOICE_STATUSES, PAYMENT_STATUSES

STATUS = {"type": "string", "enum": [s.value for s in BookingStatus]}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
NULLABLE_MILITARY = {**MILITARY, "type": ["integer", "null"]}
TEXT = {"type": ["string", "null"], "maxLength": 200}

BOOKING = {
    "id": STRING,
    "status": STATUS,
    "startDate": described(NULLABLE_DATE, "On the website's clock; null while queued."),
    "startTime": NULLABLE_MILITARY,
    "startDateTime": NULLABLE_INSTANT,
    "endDateTime": NULLABLE_INSTANT,
    "timeZone": described(STRING, "The website's time zone."),
    "duration": described(INTEGER, "Minutes."),
    "typeId": STRING,
    "type": ref("ServiceSummary"),
    "resourceId": NULLABLE_STRING,
    "resource": nullable(ref("ResourceSummary")),
    "info": described(OBJECT, "Answers to the booking's questions, by field id."),
    "payment": nullable(ref("Payment")),
    "queuePosition": described(
        NULLABLE_INTEGER,
        "Place in the service's queue, 1: served next; null unless waiting (PENDING_ASSIGNMENT).",
    ),
    "estimatedWaitMinutes": described(
        NULLABLE_INTEGER, "queuePosition times the service's minutes; null unless waiting."
    ),
    "display": obj(
        {
            "status": STRING,
            "date": NULLABLE_STRING,
            "time": NULLABLE_STRING,
            "total": NULLABLE_STRING,
        },
        ["status", "date", "time", "total"],
    ),
    "cancelReason": NULLABLE_STRING,
    "rescheduledFrom": described(NULLABLE_STRING, "The booking this one replaced."),
    "createdAt": INSTANT,
    "updatedAt": INSTANT,
}
WHEN = {
    "date": described(STRING, "The day on the website's clock, 2026-11-22 (with time)."),
    "time": described({"type": "integer"}, "Military time: 930 is 09:30."),
    "startDateTime": described(STRING, "Or the start as ISO-8601 with its offset."),
}
SCHEDULING = {
    **WHEN,
    "type": described(STRING, "The booking type's id."),
    "resourceFilters": ref("ResourceFilters"),
    "resourceFiltersCustomFields": described(
        OBJECT, "Resource-filter answers by field id: text or a list of texts."
    ),
    "timeAdjustersCustomFields": ref("Answers"),
    "bookingInfoCustomFields": ref("Answers"),
    "showAll": BOOLEAN,
    "assign": described(
        {"type": "boolean", "default": True},
        "false: instant booking, join the service's queue. Send no date, time, startDateTime, "
        "resourceFilters, resourceFiltersCustomFields or timeAdjustersCustomFields then "
        "(422 naming the member): the first provider free takes the booking.",
    ),
    "assignmentTimeout": described(
        {"type": ["integer", "null"]},
        "With assign: false, minutes the booking may wait for a provider before it is "
        f"REJECTED: clamped to {TIMEOUT_RANGE[0]}..{TIMEOUT_RANGE[1]} (default "
        f"{DEFAULT_TIMEOUT}), counted from when it enters the queue (after payment, when "
        "paid online).",
    ),
}
INVOICE = {
    "id": STRING,
    "number": INTEGER,
    "status": {"type": "string", "enum": list(INVOICE_STATUSES)},
    "currency": STRING,
    "subTotal": MONEY,
    "discount": MONEY,
    "tax": MONEY,
    "total": MONEY,
    "amountPaid": MONEY,
    "balance": MONEY,
    "deposit": described(NULLABLE_MONEY, "Payable up front; null: the whole total."),
    "paidAt": described(NULLABLE_INSTANT, "When the invoice was paid in full."),
    "paymentLink": described(NULLABLE_STRING, "The payment page, while the invoice is open."),
    "paymentWebViewLink": described(
        NULLABLE_STRING, "The payment page for an app's web view, while the invoice is open."
    ),
    "payments": described(
        array(ref("PaymentAttempt")), "Attempts to pay it, oldest first (failed ones too)."
    ),
    "bookingId": NULLABLE_STRING,
    "booking": nullable(ref("BookingSummary")),
    "display": obj({"total": STRING}, ["total"]),
    "createdAt": INSTANT,
    "updatedAt": INSTANT,
}
CUSTOMER = {
    "id": STRING,
    "firstName": STRING,
    "lastName": STRING,
    "email": NULLABLE_STRING,
    "phone": NULLABLE_STRING,
    "note": STRING,
    "lang": STRING,
    "data": described(OBJECT, "Answers to the customer fields, by field id."),
    "createdAt": INSTANT,
    "updatedAt": INSTANT,
}

SCHEMAS: dict = {
    "ServiceSummary": obj(
        {"id": STRING, "name": STRING, "color": NULLABLE_STRING, "minutes": INTEGER},
        ["id", "name", "color", "minutes"],
    ),
    "ResourceSummary": obj(
        {
            "id": STRING,
            "name": STRING,
            "category": NULLABLE_STRING,
            "photo": nullable(ref("Photo")),
        },
        ["id", "name", "category", "photo"],
    ),
    "Payment": described(
        obj(
            {
                "invoiceId": NULLABLE_STRING,
                "invoiceNumber": NULLABLE_INTEGER,
                "paymentLink": NULLABLE_STRING,
                "paymentWebViewLink": NULLABLE_STRING,
                "currency": NULLABLE_STRING,
                "subTotal": MONEY,
                "discount": MONEY,
                "total": MONEY,
                "balance": MONEY,
                "deposit": NULLABLE_MONEY,
            },
            [
                "invoiceId",
                "invoiceNumber",
                "paymentLink",
                "paymentWebViewLink",
                "currency",
                "subTotal",
                "discount",
                "total",
                "balance",
                "deposit",
            ],
        ),
        "What there is to pay: the invoice's amounts, or the price while none was issued. "
        "paymentLink and paymentWebViewLink (the payment page, and its version for an app's "
        "web view) are set while the booking waits for its payment (PENDING_PAYMENT), else "
        "null. deposit: what is paid up front (null: the whole total).",
    ),
    "PaymentAttempt": obj(
        {
            "id": STRING,
            "status": {"type": "string", "enum": list(PAYMENT_STATUSES)},
            "provider": STRING,
            "amount": MONEY,
            "currency": STRING,
            "reference": NULLABLE_STRING,
            "cardLast4": NULLABLE_STRING,
            "failureReason": NULLABLE_STRING,
            "createdAt": INSTANT,
        },
        ["id", "status", "provider", "amount", "currency", "createdAt"],
    ),
    "Booking": described(
        obj(
            {
                **BOOKING,
                "customer": described(ref("Customer"), "With includes=customer."),
                "invoice": described(nullable(ref("Invoice")), "With includes=invoice."),
            },
            list(BOOKING),
        ),
        "A booking as its customer sees it.",
    ),
    "ManagedBooking": described(
        obj(
            {
                **BOOKING,
                "customerId": NULLABLE_STRING,
                "customer": nullable(ref("Customer")),
                "expiresAt": described(NULLABLE_INSTANT, "When a hold or a queued booking lapses."),
                "note": STRING,
                "invoice": described(nullable(ref("Invoice")), "One booking, or includes=invoice."),
            },
            [*BOOKING, "customerId", "customer", "expiresAt", "note"],
        ),
        "A booking as staff see it: every answer, the customer.",
    ),
    "BookingSummary": obj(
        {
            "id": STRING,
            "status": STATUS,
            "startDate": NULLABLE_DATE,
            "startTime": NULLABLE_MILITARY,
            "startDateTime": NULLABLE_INSTANT,
            "timeZone": STRING,
            "typeId": STRING,
            "type": ref("ServiceSummary"),
        },
        ["id", "status", "startDate", "startTime", "startDateTime", "timeZone", "typeId"],
    ),
    "Customer": obj(CUSTOMER, list(CUSTOMER)),
    "Invoice": obj(INVOICE, list(INVOICE)),
    "ManagedInvoice": obj({**INVOICE, "customerId": NULLABLE_STRING}, [*INVOICE, "customerId"]),
    "CustomerSchedulingRequest": obj(
        {
            **SCHEDULING,
            "customerCustomFields": described(
                ref("Answers"), "Answers to the customer fields; they update the profile."
            ),
        },
        ["type"],
    ),
    "ManagementSchedulingRequest": obj(
        {
            **SCHEDULING,
            "type": described(STRING, "The booking type's id (not with rescheduleBookingId)."),
            "customerIdentifier": ref("CustomerIdentifier"),
            "note": {"type": ["string", "null"], "maxLength": 2000},
            "rescheduleBookingId": described(
                STRING, "Moves this booking: it is canceled and a new one made."
            ),
        }
    ),
    "TemporaryBookingRequest": obj(
        {
            **SCHEDULING,
            "type": STRING,
            "customerIdentifier": ref("CustomerIdentifier"),
            "note": {"type": ["string", "null"], "maxLength": 2000},
            "rescheduleBookingId": STRING,
            "reservedForMinutes": described(
                {
                    "type": ["integer", "null"],
                    "minimum": HOLD_MINUTES_RANGE[0],
                    "maximum": HOLD_MINUTES_RANGE[1],
                },
                "How long the hold lasts (default 15).",
            ),
        }
    ),
    "CustomerIdentifier": described(
        {
            "type": "object",
            "properties": {
                "id": {"type": ["string", "null"], "maxLength": 64},
                "email": {"type": ["string", "null"], "maxLength": 254},
                "phone": {"type": ["string", "null"], "maxLength": 40},
                "firstName": {"type": ["string", "null"], "maxLength": 100},
                "lastName": {"type": ["string", "null"], "maxLength": 100},
            },
            "additionalProperties": False,
        },
        '{"id"}, or {"email"} and/or {"phone"}; firstName creates one not known yet.',
    ),
    "BookingIdRequest": obj({"bookingId": {"type": "string", "maxLength": 64}}, ["bookingId"]),
    "BookingReasonRequest": obj(
        {
            "bookingId": {"type": "string", "maxLength": 64},
            "reason": {"type": ["string", "null"], "maxLength": 500},
        },
        ["bookingId"],
    ),
    "AssignRequest": obj(
        {
            "bookingId": {"type": "string", "maxLength": 64},
            "resourceId": {"type": "string", "maxLength": 64},
        },
        ["bookingId", "resourceId"],
    ),
    "ProfileUpdate": described(
        obj(
            {
                "firstName": {"type": ["string", "null"], "maxLength": 100},
                "lastName": {"type": ["string", "null"], "maxLength": 100},
                "email": described(TEXT, "Must be the one you sign in with."),
                "phone": described(TEXT, "Must be the one you sign in with."),
                "note": {"type": ["string", "null"], "maxLength": 5000},
                "data": described(ref("Answers"), "Only the fields sent change."),
            }
        ),
        "Members left out keep their value.",
    ),
    "CustomerInput": described(
        {
            "type": "object",
            "properties": {
                "firstName": {"type": ["string", "null"], "maxLength": 100},
                "lastName": {"type": ["string", "null"], "maxLength": 100},
                "email": {"type": ["string", "null"], "maxLength": 254},
                "phone": {"type": ["string", "null"], "maxLength": 40},
                "note": NULLABLE_STRING,
                "lang": {"type": ["string", "null"], "maxLength": 8},
                "data": described(ref("Answers"), "Only the fields sent change."),
                "id": described(STRING, "Read-only; ignored."),
                "createdAt": described(STRING, "Read-only; ignored."),
                "updatedAt": described(STRING, "Read-only; ignored."),
            },
            "additionalProperties": False,
        },
        "Members left out keep their value.",
    ),
}
