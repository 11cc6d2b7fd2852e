"""Resources, resource categories, booking types, free times and working hours, as
customers and staff read them, and the bodies that ask for them or change them."""

from __future__ import annotations

from webapp.api.openapi.model import (
    BOOLEAN,
    DATE,
    INSTANT,
    INTEGER,
    MILITARY,
    NULLABLE_INTEGER,
    NULLABLE_MONEY,
    NULLABLE_STRING,
    OBJECT,
    STRING,
    TRANSLATIONS,
    array,
    described,
    nullable,
    obj,
    ref,
)
from webapp.manage.booking_types import MAX_BUFFER_MINUTES, MAX_MINUTES
from webapp.models.booking_types import PAYMENT_METHODS

WEEKDAY = {
    "type": "string",
    "enum": ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"],
}
LIMIT = {"type": "integer", "minimum": 1, "maximum": 100}
ID = {"type": "string", "maxLength": 64}
FILTER_VALUE = {
    "anyOf": [
        {"type": ["string", "number"]},
        array({"type": ["string", "number"]}, maxItems=100),
    ]
}
TEXT_IN = {"type": ["string", "null"], "maxLength": 200}
AMOUNT_IN = described(
    {
        "anyOf": [
            {"type": "string", "pattern": r"^\s*\d{1,7}(\.\d{1,2})?\s*$"},
            {"type": "number", "minimum": 0, "maximum": 1000000},
            {"type": "null"},
        ]
    },
    'An amount from 0 to 1000000 with at most two decimals, such as "150.00"; null clears it.',
)
# Creating needs a name; changing leaves out what stays.
NAME_REQUIRED = {"required": ["name"], "properties": {"name": {"type": "string", "pattern": r"\S"}}}
BUFFER = {"type": "integer", "minimum": 0, "maximum": MAX_BUFFER_MINUTES}
PHOTO_IN = obj(
    {"url": {"type": "string", "format": "uri", "pattern": "^https?://"}, "id": STRING}, ["url"]
)

RESOURCE = {
    "id": STRING,
    "name": described(STRING, "In the request's language."),
    "name_translations": TRANSLATIONS,
    "description": STRING,
    "description_translations": TRANSLATIONS,
    "category": described(NULLABLE_STRING, "The resource category's id."),
    "photo": nullable(ref("Photo")),
    "photos": array(ref("Photo")),
    "on": BOOLEAN,
    "activated": BOOLEAN,
    "bookFromWebsite": BOOLEAN,
    "meta": described(OBJECT, "Custom data resource filters match (customers: public ones)."),
    "types": described(array(STRING), "Ids of the booking types it offers."),
    "createdAt": INSTANT,
}
BOOKING_TYPE = {
    "id": STRING,
    "name": STRING,
    "name_translations": TRANSLATIONS,
    "description": STRING,
    "description_translations": TRANSLATIONS,
    "minutes": described(INTEGER, "How long a booking lasts."),
    "leaveMinutesBefore": INTEGER,
    "leaveMinutesAfter": INTEGER,
    "category": NULLABLE_STRING,
    "color": NULLABLE_STRING,
    "on": BOOLEAN,
    "currency": STRING,
    "price": NULLABLE_MONEY,
    "oldPrice": NULLABLE_MONEY,
    "priceIncrease": NULLABLE_MONEY,
    "priceIncreaseDays": NULLABLE_INTEGER,
    "depositAmount": NULLABLE_MONEY,
    "depositPercentage": NULLABLE_MONEY,
    "timeOptions": OBJECT,
    "photos": array(ref("Photo")),
    "autoConfirm": BOOLEAN,
    "paymentMethods": array({"type": "string", "enum": list(PAYMENT_METHODS)}),
    "bookFromWebsite": BOOLEAN,
    "queueEnabled": described(
        BOOLEAN, "The website and widget offer to join its queue (assign: false works anyway)."
    ),
}
PERIOD = obj(
    {"start": described(INTEGER, "Military time, 900"), "end": described(INTEGER, "1300")},
    ["start", "end"],
)
TIME_RULE = described(
    obj(
        {
            "days": array(WEEKDAY),
            "times": array(PERIOD, maxItems=12),
            "from": described(DATE, "A date-range rule: its first day."),
            "to": described(DATE, "A date-range rule: its last day."),
        },
        ["days"],
    ),
    "Weekly hours, or (with from/to) hours that replace them on those dates; empty times "
    "close the dates.",
)
OFF_RULE = described(
    obj(
        {
            "type": {"type": "string", "enum": ["range", "weekly", "date"]},
            "from": described(STRING, "range: local date-time such as 2026-12-24T00:00."),
            "to": described(STRING, "range: local date-time (a bare date ends that day)."),
            "days": described(array(WEEKDAY), "weekly: the weekdays off."),
            "date": described(STRING, "date: the day off, 2026-12-31."),
            "note": {"type": "string", "maxLength": 200},
        },
        ["type"],
    ),
    "Time off in the resource's own time zone.",
)
AVAILABILITY_REQUEST = {
    "type": described(NULLABLE_STRING, "Only what this booking type offers."),
    "resourceFilters": ref("ResourceFilters"),
    "resourceFiltersCustomFields": described(
        {"type": "object", "additionalProperties": FILTER_VALUE},
        "Resource-filter answers by field id (GET /api/customFields/resourceFilters).",
    ),
    "showAll": described(BOOLEAN, "Staff only: resources and types not bookable online too."),
    "limit": LIMIT,
    "nextPageToken": STRING,
}

SCHEMAS: dict = {
    "Resource": described(obj(RESOURCE, list(RESOURCE)), "A resource as customers see it."),
    "ManagedResource": described(
        obj(
            {
                **RESOURCE,
                "timeZone": described(STRING, "Its rules' time zone."),
                "position": INTEGER,
                "updatedAt": INSTANT,
                "calendarFeedUrl": described(
                    NULLABLE_STRING,
                    "Its iCal feed's address (made in the admin); null when it has none.",
                ),
            },
            [*RESOURCE, "timeZone", "position", "updatedAt", "calendarFeedUrl"],
        ),
        "A resource with everything staff set on it (translations include en).",
    ),
    "ResourceCategory": obj(
        {
            "id": STRING,
            "name": STRING,
            "name_translations": TRANSLATIONS,
            "description": STRING,
            "description_translations": TRANSLATIONS,
            "photo": nullable(ref("Photo")),
            "resources": array(ref("Resource")),
        },
        ["id", "name", "description", "photo", "resources"],
    ),
    "BookingType": obj(
        {**BOOKING_TYPE, "pendingCount": described(INTEGER, "Customers waiting in its queue.")},
        [*BOOKING_TYPE, "pendingCount"],
    ),
    "ManagedBookingType": obj(
        {
            **BOOKING_TYPE,
            "schedule": OBJECT,
            "resources": described(array(STRING), "Ids of the resources that offer it."),
            "position": INTEGER,
            "createdAt": INSTANT,
            "updatedAt": INSTANT,
        },
        [*BOOKING_TYPE, "resources", "position"],
    ),
    "ResourceFilters": described(
        {
            "type": ["object", "null"],
            "properties": {
                "resource": ID,
                "resources": array(ID, minItems=1, maxItems=50),
                "category": ID,
            },
            "additionalProperties": False,
        },
        'Which resources: {"resource": id}, {"resources": [ids]} or {"category": id}; '
        "absent: any the booking policy allows.",
    ),
    "AvailabilityRequest": obj(
        {
            **AVAILABILITY_REQUEST,
            "sortBy": {"type": "string", "enum": ["position", "name", "createdAt"]},
            "sortByDirection": {"type": "string", "enum": ["asc", "desc"]},
        }
    ),
    "AvailabilityTimesRequest": obj(
        {
            **AVAILABILITY_REQUEST,
            "type": described(STRING, "The booking type's id."),
            "limit": described(LIMIT, "Days per page (default 31)."),
            "from": described(STRING, "First day, 2026-12-01 (default today)."),
            "to": described(STRING, "Last day (at most 366 days after from)."),
            "timeAdjustersCustomFields": described(
                OBJECT, "Time-adjuster answers (GET /api/customFields/timeAdjusters)."
            ),
            "rescheduleBookingId": described(STRING, "Your booking's own time counts as free."),
            "showOclock": BOOLEAN,
            "showHalfHour": BOOLEAN,
            "showThirdHour": BOOLEAN,
            "showQuarterHour": BOOLEAN,
            "showSixthHour": BOOLEAN,
            "showInBetweenSlots": BOOLEAN,
            "showAfterMidnight": BOOLEAN,
            "showFixedTimes": described(
                {"type": ["string", "integer"]}, "Military times, comma-separated: 800,1230."
            ),
        },
        ["type"],
    ),
    "AvailableDay": obj(
        {
            "date": DATE,
            "times": array(
                obj(
                    {
                        "time": MILITARY,
                        "startDateTime": INSTANT,
                        "timeZone": STRING,
                        "resources": described(array(STRING), "Resources free then."),
                    },
                    ["time", "startDateTime", "timeZone", "resources"],
                )
            ),
        },
        ["date", "times"],
    ),
    "TimeRules": obj(
        {
            "depthOfDays": described(INTEGER, "How many days ahead may be booked (0: no limit)."),
            "scheduleAfterHoursFromNow": described(INTEGER, "Notice (-1: from tomorrow)."),
            "rules": array(TIME_RULE),
        },
        ["depthOfDays", "scheduleAfterHoursFromNow", "rules"],
    ),
    "TimeRulesInput": {
        "type": "object",
        "properties": {
            "depthOfDays": {"type": "integer", "minimum": 0, "maximum": 730},
            "scheduleAfterHoursFromNow": {"type": "integer", "minimum": -1, "maximum": 8760},
            "rules": array(TIME_RULE, maxItems=100),
        },
        "additionalProperties": False,
    },
    "OffRules": obj({"rules": array(OFF_RULE)}, ["rules"]),
    "OffRulesInput": {
        "type": "object",
        "properties": {"rules": array(OFF_RULE, maxItems=500)},
        "required": ["rules"],
        "additionalProperties": False,
    },
    "ResourceInput": described(
        {
            "type": "object",
            "properties": {
                "name": described(TEXT_IN, "Sets the request language's name."),
                "name_translations": TRANSLATIONS,
                "description": {"type": ["string", "null"], "maxLength": 5000},
                "description_translations": TRANSLATIONS,
                "category": described(TEXT_IN, "A resource category's id."),
                "timeZone": described(NULLABLE_STRING, "IANA name; null: the organization's."),
                "on": BOOLEAN,
                "activated": BOOLEAN,
                "bookFromWebsite": BOOLEAN,
                "meta": OBJECT,
                "types": described(nullable(array(ID)), "Booking type ids it offers."),
                "photo": nullable(PHOTO_IN),
                "photos": nullable(array(PHOTO_IN, maxItems=20)),
                "position": {"type": "integer", "minimum": 0, "maximum": 10000},
                "providerEmail": described(TEXT_IN, "Written, never answered."),
                "providerPhone": described(TEXT_IN, "Written, never answered."),
                "id": described(STRING, "Read-only; ignored."),
                "createdAt": described(STRING, "Read-only; ignored."),
                "updatedAt": described(STRING, "Read-only; ignored."),
                "calendarFeedUrl": described(NULLABLE_STRING, "Read-only; ignored."),
            },
            "additionalProperties": False,
        },
        "Members left out keep their value; name is required when creating.",
    ),
    "BookingTypeInput": described(
        {
            "type": "object",
            "properties": {
                "name": TEXT_IN,
                "name_translations": TRANSLATIONS,
                "description": {"type": ["string", "null"], "maxLength": 5000},
                "description_translations": TRANSLATIONS,
                "minutes": {"type": "integer", "minimum": 1, "maximum": MAX_MINUTES},
                "leaveMinutesBefore": BUFFER,
                "leaveMinutesAfter": BUFFER,
                "category": {"type": ["string", "null"], "maxLength": 100},
                "color": {"type": ["string", "null"], "pattern": "^#[0-9a-fA-F]{6}$"},
                "on": BOOLEAN,
                "price": AMOUNT_IN,
                "oldPrice": AMOUNT_IN,
                "priceIncrease": AMOUNT_IN,
                "priceIncreaseDays": {"type": ["integer", "null"], "minimum": 1, "maximum": 365},
                "depositAmount": AMOUNT_IN,
                "depositPercentage": AMOUNT_IN,
                "schedule": nullable(OBJECT),
                "timeOptions": nullable(OBJECT),
                "photos": nullable(array(PHOTO_IN, maxItems=20)),
                "autoConfirm": BOOLEAN,
                "paymentMethods": nullable(
                    array({"type": "string", "enum": list(PAYMENT_METHODS)})
                ),
                "bookFromWebsite": BOOLEAN,
                "queueEnabled": BOOLEAN,
                "resources": described(nullable(array(ID)), "Ids of the resources offering it."),
                "position": {"type": "integer", "minimum": 0, "maximum": 10000},
                "id": described(STRING, "Read-only; ignored."),
                "currency": described(STRING, "Read-only; ignored."),
                "createdAt": described(STRING, "Read-only; ignored."),
                "updatedAt": described(STRING, "Read-only; ignored."),
                "pendingCount": described(INTEGER, "Read-only; ignored."),
            },
            "additionalProperties": False,
        },
        "Members left out keep their value; name is required when creating.",
    ),
    "ResourceCreate": {"allOf": [ref("ResourceInput"), NAME_REQUIRED]},
    "BookingTypeCreate": {"allOf": [ref("BookingTypeInput"), NAME_REQUIRED]},
}
