"""Management calls on what is offered: resources with their working hours and time off,
booking types and custom fields. Every member reads (a staff member only their own
resources); writing needs an admin, except a staff member's own hours and time off."""

from __future__ import annotations

from webapp.api.openapi import examples as ex
from webapp.api.openapi.model import Operation, array, page_query, ref

RESOURCE_ID = {"resource_id": "The resource's id (another's answers 404)."}
TYPE_ID = {"type_id": "The booking type's id."}
DELETED = {
    "message": {"type": "string", "examples": ["Resource deleted."]},
}
TIME_RULES = {
    "depthOfDays": 30,
    "scheduleAfterHoursFromNow": 2,
    "rules": [
        {
            "days": ["sunday", "monday", "tuesday", "wednesday", "thursday"],
            "times": [{"start": 900, "end": 1300}, {"start": 1400, "end": 1700}],
        },
        {"from": "2026-12-01", "to": "2026-12-07", "days": ["sunday"], "times": []},
    ],
}
OFF_RULES = {
    "rules": [
        {"type": "range", "from": "2026-12-24T00:00", "to": "2026-12-26T00:00", "note": ""},
        {"type": "weekly", "days": ["friday"]},
        {"type": "date", "date": "2026-12-31", "note": "New Year's Eve"},
    ]
}


def _resources(summary: str, description: str) -> Operation:
    return Operation(
        summary,
        "Manage Resources",
        auth="management",
        response=array(ref("ManagedResource")),
        response_example=[ex.MANAGED_RESOURCE],
        errors=(401,),
        description=description,
    )


OPERATIONS: dict = {
    "api.management_resources_list": Operation(
        "List Resources",
        "Manage Resources",
        auth="management",
        query=page_query(10),
        response=array(ref("ManagedResource")),
        response_example=[ex.MANAGED_RESOURCE],
        paginated=True,
        errors=(401,),
        description="In the order the business set; a staff member sees their own.",
    ),
    "api.management_resource_create": Operation(
        "Create New Resource",
        "Manage Resources",
        auth="management",
        request=ref("ResourceCreate"),
        request_example={
            "name": "Dr Huda Al-Qahtani",
            "name_translations": {"ar": "د. هدى القحطاني"},
            "types": [ex.BOOKING_TYPE["id"]],
            "providerEmail": "huda@demo.example",
        },
        response=ref("ManagedResource"),
        response_example=ex.MANAGED_RESOURCE,
        status=201,
        errors=(401, 403),
        description="Admins. With lang: ar, name sets the Arabic name.",
    ),
    "api.management_resources_mine": _resources(
        "Get My Resources", "The resources the caller provides (none for an API key)."
    ),
    "api.management_resources_confirmed_viewing": _resources(
        "Get Resources With Confirmed Appointment Viewing Permission",
        "Active resources whose confirmed bookings the caller may see.",
    ),
    "api.management_resources_request_viewing": _resources(
        "Get Resources With Request Viewing Permission",
        "Active resources whose booking requests the caller may see.",
    ),
    "api.management_resource_get": Operation(
        "Get Resource Details",
        "Manage Resources",
        auth="management",
        response=ref("ManagedResource"),
        response_example=ex.MANAGED_RESOURCE,
        errors=(401,),
        path=RESOURCE_ID,
        description="Everything staff set on it; the provider's email and phone are only "
        "written, never answered.",
    ),
    "api.management_resource_update": Operation(
        "Update Resource",
        "Manage Resources",
        auth="management",
        request=ref("ResourceInput"),
        request_example={"bookFromWebsite": False},
        response=ref("ManagedResource"),
        response_example={**ex.MANAGED_RESOURCE, "bookFromWebsite": False},
        errors=(401, 403),
        path=RESOURCE_ID,
        description="Admins. Members left out keep their value.",
    ),
    "api.management_resource_delete": Operation(
        "Delete Resource",
        "Manage Resources",
        auth="management",
        response=ref("Deleted"),
        response_example={"id": ex.RESOURCE["id"], "deleted": True},
        envelope=DELETED,
        errors=(401, 403, 409),
        path=RESOURCE_ID,
        description="Admins. A resource with bookings is kept for their history (409).",
    ),
    "api.management_time_rules_get": Operation(
        "Get Resource's Time Rules",
        "Manage Time Rules",
        auth="management",
        response=ref("TimeRules"),
        response_example=TIME_RULES,
        errors=(401,),
        path=RESOURCE_ID,
        description="Working hours in the resource's own time zone.",
    ),
    "api.management_time_rules_update": Operation(
        "Update Resource's Time Rules",
        "Manage Time Rules",
        auth="management",
        request=ref("TimeRulesInput"),
        request_example=TIME_RULES,
        response=ref("TimeRules"),
        response_example=TIME_RULES,
        errors=(401,),
        path=RESOURCE_ID,
        description="Members left out keep their value; a staff member sets their own "
        "resources' hours. Each problem is named in details.problems.",
    ),
    "api.management_off_rules_get": Operation(
        "Get Resource's Off Rules",
        "Manage Off Rules",
        auth="management",
        response=ref("OffRules"),
        response_example=OFF_RULES,
        errors=(401,),
        path=RESOURCE_ID,
        description="Time off in the resource's own time zone.",
    ),
    "api.management_off_rules_update": Operation(
        "Update Resource's Off Rules",
        "Manage Off Rules",
        auth="management",
        request=ref("OffRulesInput"),
        request_example=OFF_RULES,
        response=ref("OffRules"),
        response_example=OFF_RULES,
        errors=(401,),
        path=RESOURCE_ID,
        description="Replaces the whole list.",
    ),
    "api.management_types_list": Operation(
        "List Booking Types",
        "Manage Types",
        auth="management",
        query=page_query(10),
        response=array(ref("ManagedBookingType")),
        response_example=[ex.MANAGED_TYPE],
        paginated=True,
        errors=(401,),
        description="In the order the business set, with the resources offering each.",
    ),
    "api.management_type_create": Operation(
        "Create New Booking Type",
        "Manage Types",
        auth="management",
        request=ref("BookingTypeCreate"),
        request_example={
            "name": "Checkup",
            "minutes": 30,
            "price": "150.00",
            "resources": [ex.RESOURCE["id"]],
        },
        response=ref("ManagedBookingType"),
        response_example=ex.MANAGED_TYPE,
        status=201,
        errors=(401, 403),
        description="Admins.",
    ),
    "api.management_type_get": Operation(
        "Get Booking Type Details",
        "Manage Types",
        auth="management",
        response=ref("ManagedBookingType"),
        response_example=ex.MANAGED_TYPE,
        errors=(401,),
        path=TYPE_ID,
        description="With every setting and the resources that offer it.",
    ),
    "api.management_type_update": Operation(
        "Update Booking Type",
        "Manage Types",
        auth="management",
        request=ref("BookingTypeInput"),
        request_example={"price": "180.00"},
        response=ref("ManagedBookingType"),
        response_example={**ex.MANAGED_TYPE, "price": "180.00"},
        errors=(401, 403),
        path=TYPE_ID,
        description="Admins. Members left out keep their value.",
    ),
    "api.management_type_delete": Operation(
        "Delete Booking Type",
        "Manage Types",
        auth="management",
        response=ref("Deleted"),
        response_example={"id": ex.BOOKING_TYPE["id"], "deleted": True},
        envelope={"message": {"type": "string", "examples": ["Booking type deleted."]}},
        errors=(401, 403),
        path=TYPE_ID,
        description="Admins. A type with bookings is switched off and kept instead "
        "(deleted: false, on: false).",
    ),
    "api.management_customer_fields_get": Operation(
        "Get Customer Custom Fields",
        "Manage Custom Fields",
        auth="management",
        response=array(ref("ManagedFormField")),
        response_example=[ex.MANAGED_FIELD],
        errors=(401,),
        description="The four core fields (phoneNumber, firstName, lastName, email) always "
        "come, then the organization's own.",
    ),
    "api.management_customer_fields_update": Operation(
        "Update Customer Custom Fields",
        "Manage Custom Fields",
        auth="management",
        request=array(ref("FormFieldInput"), maxItems=500),
        request_example=[ex.FIELD_INPUT],
        response=array(ref("ManagedFormField")),
        response_example=[ex.MANAGED_FIELD],
        errors=(401, 403),
        description="Admins. Replaces the list, in its order; fields left out are deleted, "
        "except the core ones, which stay as they are.",
    ),
    "api.management_booking_fields_get": Operation(
        "Get Booking Custom Fields",
        "Manage Custom Fields",
        auth="management",
        response=array(ref("ManagedFormField")),
        response_example=[ex.MANAGED_FIELD],
        errors=(401,),
        description="Resource filters, time adjusters and the other booking questions.",
    ),
    "api.management_booking_fields_update": Operation(
        "Update Booking Custom Fields",
        "Manage Custom Fields",
        auth="management",
        request=array(ref("FormFieldInput"), maxItems=500),
        request_example=[ex.FIELD_INPUT],
        response=array(ref("ManagedFormField")),
        response_example=[ex.MANAGED_FIELD],
        errors=(401, 403),
        description="Admins. Replaces the whole list, in its order.",
    ),
}
