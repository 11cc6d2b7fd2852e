"""The envelope's parts, sign-in, photos and the custom fields customers answer."""

from __future__ import annotations

from webapp.api.openapi.model import (
    BOOLEAN,
    INSTANT,
    INTEGER,
    NULLABLE_INTEGER,
    NULLABLE_MONEY,
    NULLABLE_STRING,
    OBJECT,
    STRING,
    TRANSLATIONS,
    array,
    described,
    obj,
    ref,
)
from webapp.models.custom_fields import FIELD_TYPES, TEXT_TYPES, VISIBILITIES

OTP_METHOD = {"type": "string", "enum": ["sms", "whatsapp", "email"]}
NUMBER = {"type": "number"}
FIELD_TYPE = {"type": "string", "enum": list(FIELD_TYPES)}
TEXT_TYPE = {"type": ["string", "null"], "enum": [*TEXT_TYPES, None]}
PHONE_SETTINGS = {
    "phoneAuthMethods": described(array(STRING), "Phone fields: how a number is verified."),
    "defaultCountry": described(NULLABLE_STRING, "Phone fields: ISO country code."),
    "allowedCountries": described(STRING, 'Phone fields: "all" or "specific".'),
    "allowedCountriesList": array(STRING),
    "forbiddenCountriesList": array(STRING),
}

SCHEMAS: dict = {
    "ErrorEnvelope": obj(
        {
            "error": obj(
                {
                    "code": described(STRING, "Stable code, such as VALIDATION_ERROR."),
                    "message": described(STRING, "For people, in the request's language."),
                    "details": described(
                        OBJECT, "More about it; field names the request member at fault."
                    ),
                },
                ["code", "message", "details"],
            )
        },
        ["error"],
    ),
    "Pagination": obj(
        {
            "nextPageToken": described(NULLABLE_STRING, "Null on the last page."),
            "hasMore": BOOLEAN,
        },
        ["nextPageToken", "hasMore"],
    ),
    "Photo": obj(
        {
            "id": NULLABLE_STRING,
            "url": {"type": "string", "format": "uri"},
        },
        ["id", "url"],
    ),
    "OtpRequest": obj(
        {
            "method": OTP_METHOD,
            "phoneNumber": described(STRING, "With method sms or whatsapp."),
            "email": described(STRING, "With method email."),
            "isOrgMember": described(
                {"type": "boolean", "default": False},
                "true for staff (management calls), false for customers.",
            ),
            "turnstileToken": STRING,
            "recaptchaToken": STRING,
        },
        ["method"],
    ),
    "OtpVerify": obj(
        {
            "method": OTP_METHOD,
            "phoneNumber": STRING,
            "email": STRING,
            "isOrgMember": {"type": "boolean", "default": False},
            "code": described(STRING, "The 6-digit code sent."),
        },
        ["method", "code"],
    ),
    "OtpRequested": obj(
        {"method": OTP_METHOD, "sent": BOOLEAN, "expiresInSeconds": INTEGER},
        ["method", "sent", "expiresInSeconds"],
    ),
    "Tokens": obj(
        {
            "refreshToken": STRING,
            "accessToken": described(STRING, "Valid 5 minutes: Authorization: Bearer <it>."),
            "accessTokenExpiresAt": INSTANT,
            "user": ref("SignedIn"),
        },
        ["refreshToken", "accessToken", "accessTokenExpiresAt", "user"],
    ),
    "SignedIn": described(
        obj(
            {
                "id": STRING,
                "isOrgMember": BOOLEAN,
                "organizationId": STRING,
                "email": NULLABLE_STRING,
                "phoneNumber": NULLABLE_STRING,
                "name": described(STRING, "Staff only."),
                "role": described(
                    {"type": ["string", "null"], "enum": ["owner", "admin", "staff", None]},
                    "Staff only.",
                ),
                "firstName": described(STRING, "Customers only."),
                "lastName": described(STRING, "Customers only."),
            },
            ["id", "isOrgMember", "organizationId"],
        ),
        "The customer or staff member signed in.",
    ),
    "FieldOption": obj(
        {
            "value": STRING,
            "label": described(STRING, "In the request's language."),
            "minutes": described(NULLABLE_INTEGER, "Minutes this choice adds."),
            "price": described(NULLABLE_MONEY, "Price this choice adds."),
        },
        ["value", "label", "minutes", "price"],
    ),
    "FormField": described(
        obj(
            {
                "id": STRING,
                "name": described(STRING, "The label, in the request's language."),
                "type": FIELD_TYPE,
                "textType": TEXT_TYPE,
                "optional": BOOLEAN,
                "enabled": BOOLEAN,
                "visibility": {"type": "string", "enum": list(VISIBILITIES)},
                "options": array(ref("FieldOption")),
                "types": described(array(STRING), "Booking types it is asked for; [] = all."),
                "minutes": NULLABLE_INTEGER,
                "price": NULLABLE_MONEY,
                "info": obj(
                    {
                        "filterResources": BOOLEAN,
                        "multiple": described(BOOLEAN, "Options fields: several choices."),
                        "placeholder": STRING,
                        "content": described(STRING, "Text of a paragraph-readonly field."),
                        "min": NUMBER,
                        "max": NUMBER,
                    },
                    ["filterResources"],
                ),
                "condition": OBJECT,
                **PHONE_SETTINGS,
            },
            [
                "id",
                "name",
                "type",
                "textType",
                "optional",
                "enabled",
                "visibility",
                "options",
                "types",
                "minutes",
                "price",
                "info",
                "condition",
            ],
        ),
        "A question as customers meet it (phone fields add the phone settings).",
    ),
    "UploadedFile": described(
        obj(
            {
                "fileName": STRING,
                "data": described(STRING, "A base64 data URL: data:<type>;base64,<content>."),
            },
            ["data"],
        ),
        "A file or photo answer.",
    ),
    "Location": obj(
        {
            "position": obj({"latitude": NUMBER, "longitude": NUMBER}),
            "address": STRING,
        }
    ),
    "Answers": described(
        OBJECT,
        "Answers by field id: text, a number, an option's value (or a list of them), a "
        "Location, an UploadedFile or a list of UploadedFile.",
    ),
}

# --- custom fields as staff configure them ------------------------------------------------

LOCALIZED_INFO = {
    "placeholder": STRING,
    "placeholder_translations": TRANSLATIONS,
    "content": STRING,
    "content_translations": TRANSLATIONS,
}
SCHEMAS["ManagedFieldOption"] = obj(
    {
        "value": STRING,
        "label": STRING,
        "label_translations": TRANSLATIONS,
        "minutes": NULLABLE_INTEGER,
        "price": NULLABLE_MONEY,
    },
    ["value", "label", "label_translations", "minutes", "price"],
)
SCHEMAS["ManagedFormField"] = described(
    obj(
        {
            **SCHEMAS["FormField"]["properties"],
            "name_translations": TRANSLATIONS,
            "options": array(ref("ManagedFieldOption")),
            "info": obj(
                {
                    "filterResources": BOOLEAN,
                    "multiple": BOOLEAN,
                    **LOCALIZED_INFO,
                    "min": NUMBER,
                    "max": NUMBER,
                },
                ["filterResources"],
            ),
            "smsSender": described(STRING, "Phone fields."),
        },
        [*SCHEMAS["FormField"]["required"], "name_translations"],
    ),
    "A custom field with its settings (phone fields add the phone settings).",
)
SCHEMAS["FormFieldInput"] = described(
    {
        "type": "object",
        "properties": {
            "id": {"type": "string", "minLength": 1, "maxLength": 64},
            "name": {"type": ["string", "null"], "maxLength": 200},
            "name_translations": TRANSLATIONS,
            "type": described(FIELD_TYPE, "Required, except for the core customer fields."),
            "textType": TEXT_TYPE,
            "optional": BOOLEAN,
            "enabled": BOOLEAN,
            "visibility": {"type": "string", "enum": list(VISIBILITIES)},
            "options": {
                "type": ["array", "null"],
                "items": {
                    "type": "object",
                    "properties": {
                        "value": {"type": "string", "minLength": 1, "maxLength": 100},
                        "label": {"type": ["string", "null"], "maxLength": 200},
                        "label_translations": TRANSLATIONS,
                        "minutes": {"type": ["integer", "null"], "minimum": 0, "maximum": 1440},
                        "price": {"type": ["string", "number", "null"]},
                    },
                    "required": ["value"],
                    "additionalProperties": False,
                },
            },
            "types": {"type": ["array", "null"], "items": STRING},
            "minutes": {"type": ["integer", "null"], "minimum": 0, "maximum": 1440},
            "price": {"type": ["string", "number", "null"]},
            "info": {
                "type": ["object", "null"],
                "properties": {
                    "filterResources": BOOLEAN,
                    "multiple": BOOLEAN,
                    **LOCALIZED_INFO,
                    "min": {"type": ["number", "null"]},
                    "max": {"type": ["number", "null"]},
                },
                "additionalProperties": False,
            },
            "condition": {"type": ["object", "null"]},
            "phoneAuthMethods": {"type": ["array", "null"], "items": STRING},
            "smsSender": NULLABLE_STRING,
            "defaultCountry": NULLABLE_STRING,
            "allowedCountries": NULLABLE_STRING,
            "allowedCountriesList": {"type": ["array", "null"], "items": STRING},
            "forbiddenCountriesList": {"type": ["array", "null"], "items": STRING},
        },
        "required": ["id"],
        "additionalProperties": False,
    },
    "One field of the list; a field is known by its id (name is required).",
)
