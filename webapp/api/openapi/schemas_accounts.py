"""Organizations, API keys, webhooks and websites, and what deletions answer."""

from __future__ import annotations

from webapp.api.openapi.model import (
    BOOLEAN,
    INSTANT,
    INTEGER,
    NULLABLE_INSTANT,
    NULLABLE_STRING,
    OBJECT,
    STRING,
    array,
    described,
    nullable,
    obj,
    ref,
)
from webapp.api.shapes.websites import PLAIN, TEXTS
from webapp.models.websites import BOOKING_POLICIES, BOOKING_TIME_POLICIES, SPLITTING_MODES
from webapp.notify.triggers import ALL_TRIGGERS
from webapp.public.blueprint import THEME_PROPERTIES

ROLE = {"type": ["string", "null"], "enum": ["owner", "admin", "staff", None]}
TRIGGER = {"type": "string", "enum": list(ALL_TRIGGERS)}
SOCIAL = (
    "callSupport",
    "whatsapp",
    "emailSupport",
    "twitter",
    "instagram",
    "facebook",
    "tiktok",
    "snapchat",
    "maroof",
    "saudiBusinessCenter",
)
FLAGS = (
    "on",
    "bookingTimeSplittingOptimize",
    "bookingTimeShowMidnight",
    "selectTypeFirst",
    "selectResourceCategory",
    "hideResource",
    "requireVerification",
)
LOCAL_TEXTS = {"ar": STRING}
MAP = obj(
    {
        "label": STRING,
        "url": STRING,
        "lat": {"type": "number"},
        "lng": {"type": "number"},
    }
)
CHOICES = {
    "bookingPolicy": {"type": "string", "enum": list(BOOKING_POLICIES)},
    "bookingTimePolicy": {"type": "string", "enum": list(BOOKING_TIME_POLICIES)},
    "bookingTimeSplitting": {"type": "string", "enum": list(SPLITTING_MODES)},
}
THEME = {"type": "object", "properties": {k: STRING for k in THEME_PROPERTIES}}
WEBSITE = {
    "id": STRING,
    "appId": described(STRING, "Send it as X-APP-ID."),
    "slug": STRING,
    "url": {"type": "string", "format": "uri"},
    "version": {"type": "string", "enum": ["default", "draft"]},
    "name": STRING,
    "timezone": STRING,
    **{name: BOOLEAN for name in FLAGS},
    "defaultLang": STRING,
    **CHOICES,
    "suggestedTimes": INTEGER,
    "fixedTimes": described(array(INTEGER), "Minutes from midnight (bookingTimeSplitting fixed)."),
    "holdMinutes": INTEGER,
    "changeNoticeHours": INTEGER,
    **{name: NULLABLE_STRING for name in SOCIAL},
    "map": nullable(MAP),
    "logo": nullable(ref("Photo")),
    "logoFavIcon": nullable(ref("Photo")),
    **{name: described(STRING, "In the request's language.") for name in TEXTS},
    **{f"{name}_translations": {"type": "object", "properties": LOCAL_TEXTS} for name in TEXTS},
    "theme": THEME,
}
IMAGE_IN = described(
    {
        "type": ["object", "null"],
        "properties": {"fileName": STRING, "data": STRING},
    },
    'A new image {"fileName", "data": "data:image/png;base64,..."}; null removes it; '
    "the image as answered (without data) keeps it.",
)
SETTINGS_IN = {
    "name": STRING,
    "timezone": STRING,
    "defaultLang": STRING,
    **{name: BOOLEAN for name in FLAGS},
    **CHOICES,
    "suggestedTimes": INTEGER,
    "holdMinutes": INTEGER,
    "changeNoticeHours": INTEGER,
    "fixedTimes": nullable(array(INTEGER)),
    **{name: NULLABLE_STRING for name in SOCIAL},
    "map": {"type": ["object", "null"], "properties": MAP["properties"]},
    **{name: STRING for name in TEXTS},
    **{
        f"{name}_translations": {"type": ["object", "null"], "properties": LOCAL_TEXTS}
        for name in TEXTS
    },
    "logo": IMAGE_IN,
    "logoFavIcon": IMAGE_IN,
    "theme": {"type": ["object", "null"], "properties": THEME["properties"]},
    "slug": described(STRING, "The website's address (every version)."),
    "allowedDomains": described(
        nullable(array(STRING)), "Origins that may frame the widget (every version)."
    ),
}
assert set(PLAIN) <= set(WEBSITE), "every website setting is described"

SCHEMAS: dict = {
    "Organization": obj(
        {
            "id": STRING,
            "name": STRING,
            "timezone": STRING,
            "currency": STRING,
            "businessTypeId": NULLABLE_STRING,
            "businessCustomConfig": OBJECT,
            "appId": described(NULLABLE_STRING, "Its website's app id: the X-APP-ID to use."),
            "slug": NULLABLE_STRING,
            "websiteUrl": {"type": ["string", "null"], "format": "uri"},
            "role": described(ROLE, "The caller's role in it."),
            "createdAt": INSTANT,
            "updatedAt": INSTANT,
        },
        ["id", "name", "timezone", "currency", "appId", "slug", "role"],
    ),
    "OrganizationInput": obj(
        {
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "timezone": described(STRING, "An IANA name such as Asia/Riyadh."),
            "businessTypeId": {"type": ["string", "null"], "maxLength": 64},
            "businessCustomConfig": {"type": ["object", "null"]},
            "slug": described(NULLABLE_STRING, "Creating: the website's address."),
        },
        ["name", "timezone"],
    ),
    "OrganizationDeleted": obj(
        {"id": STRING, "isDeleted": {"const": True}, "deletedAt": INSTANT},
        ["id", "isDeleted", "deletedAt"],
    ),
    "ApiKey": obj(
        {
            "id": STRING,
            "name": STRING,
            "scope": {"type": "string", "enum": ["organization", "account"]},
            "organizationId": described(STRING, "Organization keys only."),
            "keyHint": described(STRING, "The key's last characters."),
            "createdAt": INSTANT,
            "lastUsedAt": NULLABLE_INSTANT,
            "revokedAt": NULLABLE_INSTANT,
            "key": described(STRING, "The key itself: only in the answer that made it."),
        },
        ["id", "name", "scope", "keyHint", "createdAt", "lastUsedAt", "revokedAt"],
    ),
    "ApiKeyName": obj({"name": {"type": "string", "minLength": 1, "maxLength": 100}}, ["name"]),
    "Webhook": obj(
        {
            "id": STRING,
            "trigger": STRING,
            "url": STRING,
            "reference": NULLABLE_STRING,
            "createdAt": INSTANT,
            "secretIssuedAt": INSTANT,
        },
        ["id", "trigger", "url", "reference", "createdAt", "secretIssuedAt"],
    ),
    "WebhookRequest": obj(
        {
            "trigger": TRIGGER,
            "url": described(STRING, "An https address on the public internet."),
            "reference": {"type": ["string", "null"], "maxLength": 200},
        },
        ["trigger", "url"],
    ),
    "WebhookSampleRequest": obj(
        {"trigger": TRIGGER, "reference": {"type": ["string", "null"], "maxLength": 200}},
        ["trigger"],
    ),
    "WebhookPayload": described(
        {
            "anyOf": [
                obj(
                    {
                        "id": STRING,
                        "trigger": STRING,
                        "customer": OBJECT,
                        "provider": OBJECT,
                        "resource": OBJECT,
                        "page": OBJECT,
                        "type": OBJECT,
                        "dateTime": described(STRING, "A JSON string of the UTC start."),
                        "info": OBJECT,
                        "data": OBJECT,
                    },
                    ["id", "trigger", "dateTime", "info"],
                ),
                obj({"event": STRING, "data": OBJECT}, ["event", "data"]),
            ]
        },
        "A trigger's booking payload, or an event name's {event, data}.",
    ),
    "Website": described(obj(WEBSITE, list(WEBSITE)), "A booking website's public settings."),
    "ManagedWebsite": obj(
        {
            **WEBSITE,
            "organizationId": STRING,
            "allowedDomains": array(STRING),
            "updatedAt": NULLABLE_INSTANT,
            "unpublishedChanges": described(
                array(STRING), "Settings the draft changed and the live version lacks."
            ),
            "calendarFeedUrl": described(
                NULLABLE_STRING,
                "The iCal feed of all the organization's bookings (made in the admin); null "
                "when it has none or the caller is staff.",
            ),
        },
        [*WEBSITE, "organizationId", "allowedDomains", "unpublishedChanges", "calendarFeedUrl"],
    ),
    "WebsiteSettingsInput": described(
        {"type": "object", "properties": SETTINGS_IN},
        "Members left out keep their value.",
    ),
    "Deleted": obj(
        {
            "id": STRING,
            "deleted": described(BOOLEAN, "false: kept (switched off) for its bookings' history."),
            "on": BOOLEAN,
        },
        ["id", "deleted"],
    ),
}
