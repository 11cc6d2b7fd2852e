"""Calls a website's visitors make: signing in, availability, the custom fields to answer
and the website itself."""

from __future__ import annotations

from webapp.api.openapi import examples as ex
from webapp.api.openapi.model import BOOLEAN_QUERY, Operation, array, query, ref, version_query

SHOW_ALL = (
    "showAll (staff only) adds resources and types not bookable from the website; anyone "
    "else gets 403, and an expired access token 401."
)
TYPE_FILTER = "A booking type's id: only the fields asked for it."
TOKENS = {
    "refreshToken": "mwr_2kJ9...",
    "accessToken": "mwa_eyJv...",
    "accessTokenExpiresAt": "2026-11-21T06:05:00+00:00",
    "user": {
        "id": ex.CUSTOMER["id"],
        "firstName": "Sara",
        "lastName": "Ahmed",
        "email": "sara@example.com",
        "phoneNumber": None,
        "isOrgMember": False,
        "organizationId": ex.ORGANIZATION["id"],
    },
}

OPERATIONS: dict = {
    "api.otp_request": Operation(
        "Request Otp",
        "Authentication",
        request=ref("OtpRequest"),
        request_example={"method": "email", "email": "sara@example.com", "isOrgMember": False},
        response=ref("OtpRequested"),
        response_example={"method": "email", "sent": True, "expiresInSeconds": 600},
        description="Sends a 6-digit code valid 10 minutes. The answer is the same whether or "
        "not the address is known; staff (isOrgMember) get a code only when they belong to "
        "the organization.",
    ),
    "api.otp_verify": Operation(
        "Verify Otp",
        "Authentication",
        request=ref("OtpVerify"),
        request_example={"method": "email", "email": "sara@example.com", "code": "123456"},
        response=ref("Tokens"),
        response_example=TOKENS,
        description="At most 5 tries per code (a wrong code answers 422 OTP_INVALID). "
        "Answers a refresh token and a 5-minute access token; a customer signing in for the "
        "first time is recorded.",
    ),
    "api.token_refresh": Operation(
        "Get Access Token",
        "Authentication",
        query=[query("refreshToken", "A refresh token from Verify Otp", required=True)],
        response=ref("Tokens"),
        response_example=TOKENS,
        errors=(401,),
        description="Rotates: the refresh token given stops working and a new one is "
        "answered. Presenting an exchanged token again revokes every token of that sign-in.",
    ),
    "api.availability_resources": Operation(
        "List Available Resources",
        "Availability",
        auth="optional",
        request=ref("AvailabilityRequest"),
        request_required=False,
        request_example={"type": ex.BOOKING_TYPE["id"], "limit": 10, "sortBy": "name"},
        response=array(ref("Resource")),
        response_example=[ex.RESOURCE],
        paginated=True,
        errors=(401, 403),
        description="The resources the website offers, in the order the business set "
        "(sortBy position), by name or by creation. " + SHOW_ALL,
    ),
    "api.availability_resource": Operation(
        "Get Resource Details",
        "Availability",
        auth="optional",
        query=[query("showAll", "Staff only: also resources not bookable online.", BOOLEAN_QUERY)],
        response=ref("Resource"),
        response_example=ex.RESOURCE,
        errors=(401, 403),
        path={"resource_id": "The resource's id."},
        description="A resource the website offers (404 for any other id).",
    ),
    "api.availability_resource_categories": Operation(
        "List Available Resource Categories",
        "Availability",
        auth="optional",
        request=ref("AvailabilityRequest"),
        request_required=False,
        request_example={"limit": 10},
        response=array(ref("ResourceCategory")),
        response_example=[ex.CATEGORY],
        paginated=True,
        errors=(401, 403),
        description="Categories that have resources on offer, each with them. " + SHOW_ALL,
    ),
    "api.availability_types": Operation(
        "List Available Booking Types",
        "Availability",
        auth="optional",
        request=ref("AvailabilityRequest"),
        request_required=False,
        request_example={"resourceFilters": {"resource": ex.RESOURCE["id"]}},
        response=array(ref("BookingType")),
        response_example=[ex.BOOKING_TYPE],
        paginated=True,
        errors=(401, 403),
        description="The booking types the chosen resources offer. " + SHOW_ALL,
    ),
    "api.availability_times": Operation(
        "List Available Times",
        "Availability",
        auth="optional",
        request=ref("AvailabilityTimesRequest"),
        request_example={"type": ex.BOOKING_TYPE["id"], "from": "2026-11-22", "limit": 7},
        response=array(ref("AvailableDay")),
        response_example=ex.TIMES,
        paginated=True,
        errors=(401, 403),
        description="Days with free times, limit days per page, each time as military time "
        "and ISO-8601 on the website's clock. Without show* options the website's own "
        "splitting applies. " + SHOW_ALL,
    ),
    "api.custom_fields_resource_filters": Operation(
        "List Resource Filters Custom Fields",
        "Custom Fields",
        query=[query("type", TYPE_FILTER)],
        response=array(ref("FormField")),
        response_example=[{**ex.FIELD, "info": {"filterResources": True, "multiple": False}}],
        description="Questions whose answers choose the resources (info.filterResources).",
    ),
    "api.custom_fields_time_adjusters": Operation(
        "List Time Adjusters Custom Fields",
        "Custom Fields",
        query=[query("type", TYPE_FILTER, required=True)],
        response=array(ref("FormField")),
        response_example=[ex.FIELD],
        description="Questions whose answers add minutes (and price) to a booking.",
    ),
    "api.custom_fields_booking_info": Operation(
        "List Booking Information Custom Fields",
        "Custom Fields",
        query=[query("type", TYPE_FILTER, required=True)],
        response=array(ref("FormField")),
        response_example=[ex.FIELD],
        description="The other questions a booking of this type asks.",
    ),
    "api.custom_fields_customer": Operation(
        "List Customer Custom Fields",
        "Custom Fields",
        query=[query("type", TYPE_FILTER)],
        response=array(ref("FormField")),
        response_example=[
            {
                **ex.FIELD,
                "id": "firstName",
                "name": "First name",
                "type": "text",
                "options": [],
                "info": {"filterResources": False},
            }
        ],
        description="The customer's own questions: the core ones (phoneNumber, firstName, "
        "lastName, email) that are on, then the organization's.",
    ),
    "api.website_current": Operation(
        "Get Current Website",
        "Website",
        auth="optional",
        query=[version_query()],
        response=ref("Website"),
        response_example=ex.WEBSITE,
        errors=(401,),
        description="The public settings of the X-APP-ID website; the draft needs a staff "
        "access token or an API key.",
    ),
    "api.website_find": Operation(
        "Find Website by URL",
        "Website",
        auth="management",
        app_id=False,
        query=[
            query(
                "url",
                "An address of this server: https://<host>/<slug>/... or a widget frame's.",
                {"type": "string", "format": "uri"},
                required=True,
                example="https://mawid.example/demo/",
            )
        ],
        response=ref("Website"),
        response_example=ex.WEBSITE,
        errors=(401,),
        description="A website that is off is found only by its own organization's callers.",
    ),
}
