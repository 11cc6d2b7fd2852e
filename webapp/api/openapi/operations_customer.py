"""Calls a signed-in customer makes (Authorization: Bearer <the customer's access token>):
booking, their bookings, their profile and their invoices."""

from __future__ import annotations

from webapp.api.openapi import examples as ex
from webapp.api.openapi.model import Operation, array, page_query, query, ref
from webapp.models import BookingStatus

STATUSES = ", ".join(s.value for s in BookingStatus if s != BookingStatus.TEMPORARY)


def _choice(name: str, description: str, values: list[str]) -> dict:
    return query(name, description, {"type": "string", "enum": values, "default": values[0]})


OPERATIONS: dict = {
    "api.scheduling_new": Operation(
        "Create Confirmed/Unconfirmed Booking",
        "Customer Scheduling",
        auth="customer",
        request=ref("CustomerSchedulingRequest"),
        request_example=ex.SCHEDULING,
        response=ref("Booking"),
        response_example=ex.BOOKING,
        status=201,
        errors=(401, 409),
        idempotent=True,
        description="Books a time the website offers, on its terms: CONFIRMED when the type "
        "confirms on its own, PENDING_PAYMENT when it is paid online, else PENDING_APPROVAL. "
        "The start is date + military time on the website's clock, or startDateTime. A time "
        "taken a moment ago answers 409 with next_available in the details. "
        "With assign: false (instant booking) the customer joins the service's queue: send "
        "only type (and answers), no date or time; the booking is PENDING_ASSIGNMENT with "
        "queuePosition and estimatedWaitMinutes, or first PENDING_PAYMENT (with the payment "
        "object and its paymentLink) when the service is paid online. assignmentTimeout "
        "(minutes, clamped to 5..180) is how long it may wait before it is REJECTED. Queues "
        "are per service: the first provider free who offers it takes the booking.",
    ),
    "api.bookings_list": Operation(
        "Get My Bookings",
        "My Bookings",
        auth="customer",
        query=[
            query("from", "From this date (2026-11-22) or ISO date-time."),
            query("to", "Up to this date (its whole day) or ISO date-time."),
            query("status", f"Comma-separated statuses: {STATUSES}."),
            query("resource", "Only this resource's bookings."),
            query("includes", "Comma-separated: customer, invoice (type and resource always)."),
            _choice("dateType", "What from/to and the order use.", ["dateTime", "createdAt"]),
            _choice("orderDirection", "Sort direction.", ["desc", "asc"]),
            *page_query(10),
        ],
        response=array(ref("Booking")),
        response_example=[ex.BOOKING],
        paginated=True,
        errors=(401,),
        description="Your bookings, newest first by start (queued ones by when they were "
        "made), with their service, resource, payment and place in the queue.",
    ),
    "api.booking_get": Operation(
        "Get My Booking By ID",
        "My Bookings",
        auth="customer",
        response=ref("Booking"),
        response_example=ex.BOOKING,
        errors=(401,),
        path={"booking_id": "One of your bookings (any other id answers 404)."},
        description="Answers to questions shown only to staff are left out.",
    ),
    "api.booking_cancel": Operation(
        "Cancel My Booking",
        "My Bookings",
        auth="customer",
        request=ref("BookingReasonRequest"),
        request_example={"bookingId": ex.BOOKING["id"], "reason": "I am travelling."},
        response=ref("Booking"),
        response_example={**ex.BOOKING, "status": "CANCELED", "cancelReason": "I am travelling."},
        errors=(401, 409),
        idempotent=True,
        description="Possible until the website's notice before the start (422 "
        "OUTSIDE_WINDOW after it, with the deadline); a booking that can no longer change "
        "answers 409 INVALID_TRANSITION.",
    ),
    "api.profile_get": Operation(
        "Get My Profile",
        "My Profile",
        auth="customer",
        response=ref("Customer"),
        response_example=ex.CUSTOMER,
        errors=(401,),
        description="Answers to customer questions shown only to staff are left out.",
    ),
    "api.profile_update": Operation(
        "Update My Profile",
        "My Profile",
        auth="customer",
        request=ref("ProfileUpdate"),
        request_example={"firstName": "Sara", "lastName": "Al-Harbi", "data": {"city": "Riyadh"}},
        response=ref("Customer"),
        response_example={**ex.CUSTOMER, "lastName": "Al-Harbi"},
        errors=(401,),
        description="The email and phone you sign in with cannot change here (422).",
    ),
    "api.invoices_list": Operation(
        "Get My Invoices",
        "My Invoices",
        auth="customer",
        query=page_query(10),
        response=array(ref("Invoice")),
        response_example=[ex.INVOICE],
        paginated=True,
        errors=(401,),
        description="Newest first.",
    ),
    "api.invoice_get": Operation(
        "Get My Invoice By ID",
        "My Invoices",
        auth="customer",
        response=ref("Invoice"),
        response_example=ex.INVOICE,
        errors=(401,),
        path={"invoice_id": "One of your invoices."},
        description="With the short booking it bills, when there is one.",
    ),
}
