"""Management calls on bookings, scheduling, customers and invoices. A staff member sees and
acts on the bookings of the resources they provide (and the queue those resources serve);
owners, admins and API keys on every booking."""

from __future__ import annotations

from webapp.api.openapi import examples as ex
from webapp.api.openapi.model import Operation, array, page_query, query, ref
from webapp.manage.bookings import STATUSES
from webapp.models.invoices import INVOICE_STATUSES

BOOKING_ID = {"booking_id": "The booking's id (one the caller may not see answers 404)."}
ACTION = (
    "A booking that cannot make this change answers 409 INVALID_TRANSITION; the answer is "
    "the booking as it is then."
)


def _action(summary: str, description: str, status: str, *, reason: bool = False) -> Operation:
    example = {"bookingId": ex.BOOKING["id"]}
    if reason:
        example["reason"] = "The doctor is away."
    return Operation(
        summary,
        "Manage Bookings",
        auth="management",
        request=ref("BookingReasonRequest" if reason else "BookingIdRequest"),
        request_example=example,
        response=ref("ManagedBooking"),
        response_example={**ex.MANAGED_BOOKING, "status": status},
        errors=(401, 409),
        idempotent=True,
        description=description + " " + ACTION,
    )


def _scheduling(summary: str, request: str, example: dict, description: str) -> Operation:
    return Operation(
        summary,
        "Manage Scheduling",
        auth="management",
        request=ref(request),
        request_example=example,
        response=ref("ManagedBooking"),
        response_example=ex.MANAGED_BOOKING,
        status=201,
        errors=(401, 409),
        idempotent=True,
        description=description,
    )


CUSTOMER_BY_EMAIL = {"email": "sara@example.com", "firstName": "Sara", "lastName": "Ahmed"}

OPERATIONS: dict = {
    "api.management_bookings_list": Operation(
        "List Bookings",
        "Manage Bookings",
        auth="management",
        query=[
            query("from", "From this date (2026-11-22) or ISO date-time."),
            query("to", "Up to this date (its whole day) or ISO date-time."),
            query("resources", "Comma-separated resource ids."),
            query("status", "Comma-separated: " + ", ".join(STATUSES) + "."),
            query("customerId", "Only this customer's bookings."),
            query("type", "Only this booking type's bookings."),
            query("includes", "Comma-separated: invoice (customer, type, resource always)."),
            query(
                "dateType",
                "What from/to and the order use.",
                {"type": "string", "enum": ["dateTime", "createdAt"], "default": "dateTime"},
            ),
            query(
                "orderDirection",
                "Sort direction.",
                {"type": "string", "enum": ["desc", "asc"], "default": "desc"},
            ),
            *page_query(100),
        ],
        response=array(ref("ManagedBooking")),
        response_example=[ex.MANAGED_BOOKING],
        paginated=True,
        errors=(401,),
        description="Newest first by start unless asked otherwise; a staff member sees the "
        "bookings of the resources they provide.",
    ),
    "api.management_booking_get": Operation(
        "Get Booking",
        "Manage Bookings",
        auth="management",
        response=ref("ManagedBooking"),
        response_example=ex.MANAGED_BOOKING,
        errors=(401,),
        path=BOOKING_ID,
        description="With every answer, the customer and the invoice.",
    ),
    "api.management_booking_cancel": _action(
        "Cancel Booking", "Cancels the booking.", "CANCELED", reason=True
    ),
    "api.management_booking_approve": _action(
        "Approve Booking", "Confirms a booking request (PENDING_APPROVAL).", "CONFIRMED"
    ),
    "api.management_booking_reject": _action(
        "Reject Booking", "Turns a booking request down.", "REJECTED", reason=True
    ),
    "api.management_booking_end": _action(
        "End Booking", "Marks a booking that has started as done.", "COMPLETED"
    ),
    "api.management_booking_assign": Operation(
        "Assign A resource to Booking",
        "Manage Bookings",
        auth="management",
        request=ref("AssignRequest"),
        request_example={"bookingId": ex.BOOKING["id"], "resourceId": ex.RESOURCE["id"]},
        response=ref("ManagedBooking"),
        response_example=ex.MANAGED_BOOKING,
        errors=(401, 409),
        idempotent=True,
        description="Takes a queued booking for a resource. Of providers taking it at once "
        "one wins; the others get 400 SCH-ALREADY_ASSIGNED (400 BKS-110 once it expired).",
    ),
    "api.management_bookings_unassigned": Operation(
        "List Unassigned Bookings",
        "Manage Bookings",
        auth="management",
        query=[
            query("resourceId", "The resource whose queue to read.", required=True),
            *page_query(100),
        ],
        response=array(ref("ManagedBooking")),
        response_example=[
            {
                **ex.MANAGED_BOOKING,
                **ex.QUEUED_BOOKING,
                "queuePosition": 1,
                "estimatedWaitMinutes": 30,
                "expiresAt": "2026-11-21T07:05:00+00:00",
            }
        ],
        paginated=True,
        errors=(401,),
        description="Bookings waiting in the queue of the services the resource offers, "
        "first come first served.",
    ),
    "api.management_scheduling_new": _scheduling(
        "Create Confirmed Booking",
        "ManagementSchedulingRequest",
        {**ex.SCHEDULING, "customerIdentifier": CUSTOMER_BY_EMAIL},
        "Books for a customer on the organization's terms (any active type and resource, "
        "any time inside working hours). With rescheduleBookingId the booking is moved: it "
        "is canceled and a new one made at the new time, in one go. With assign: false the "
        "customer (a walk-in, say) joins the service's queue instead: type, customer and "
        "answers only, no date, time or resource; assignmentTimeout as for customers "
        "(clamped to 5..180 minutes). A staff member queues for services their resources "
        "offer.",
    ),
    "api.management_scheduling_temporary": _scheduling(
        "Create Temporary Booking",
        "TemporaryBookingRequest",
        {**ex.SCHEDULING, "customerIdentifier": CUSTOMER_BY_EMAIL, "reservedForMinutes": 10},
        "Holds a time for reservedForMinutes (TEMPORARY); confirm it before it lapses.",
    ),
    "api.management_scheduling_confirm": Operation(
        "Convert Temporary Booking into Confirmed Booking",
        "Manage Scheduling",
        auth="management",
        request=ref("BookingIdRequest"),
        request_example={"bookingId": ex.BOOKING["id"]},
        response=ref("ManagedBooking"),
        response_example=ex.MANAGED_BOOKING,
        errors=(401, 409),
        idempotent=True,
        description="A hold that has run out answers 409 HOLD_EXPIRED.",
    ),
    "api.management_customers_list": Operation(
        "List Customers",
        "Manage Customers",
        auth="management",
        query=[
            query("search", "Part of a name or email address, or a phone number."),
            *page_query(20),
        ],
        response=array(ref("Customer")),
        response_example=[ex.CUSTOMER],
        paginated=True,
        errors=(401,),
        description="Newest first; a staff member sees those who booked their resources.",
    ),
    "api.management_customer_get": Operation(
        "Get Customer",
        "Manage Customers",
        auth="management",
        response=ref("Customer"),
        response_example=ex.CUSTOMER,
        errors=(401,),
        path={"customer_id": "The customer's id."},
        description="A staff member reads the customers who booked their resources.",
    ),
    "api.management_customer_update": Operation(
        "Update Customer",
        "Manage Customers",
        auth="management",
        request=ref("CustomerInput"),
        request_example={"lastName": "Al-Harbi", "note": "Prefers mornings."},
        response=ref("Customer"),
        response_example={**ex.CUSTOMER, "lastName": "Al-Harbi", "note": "Prefers mornings."},
        errors=(401, 403),
        path={"customer_id": "The customer's id."},
        description="Admins. Members left out keep their value.",
    ),
    "api.management_invoices_list": Operation(
        "List Invoices",
        "Manage Invoices",
        auth="management",
        query=[
            query(
                "status",
                "Only invoices in this status.",
                {"type": "string", "enum": list(INVOICE_STATUSES)},
            ),
            *page_query(20),
        ],
        response=array(ref("ManagedInvoice")),
        response_example=[{**ex.INVOICE, "customerId": ex.CUSTOMER["id"]}],
        paginated=True,
        errors=(401, 403),
        description="Admins. Newest first.",
    ),
}
