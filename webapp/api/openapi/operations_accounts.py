"""Management calls on the organization itself: organizations, API keys, webhooks and the
website's settings. Account-level calls (organizations, account keys) work without
X-APP-ID when made with an account API key."""

from __future__ import annotations

from webapp.api.openapi import examples as ex
from webapp.api.openapi.model import (
    BOOLEAN_QUERY,
    Operation,
    array,
    page_query,
    query,
    ref,
    version_query,
)

ORGANIZATION_ID = {"organization_id": "The organization's id (one you cannot reach: 404)."}
KEY_NAME = {"name": "The key's name."}
NEW_KEY = {**ex.API_KEY, "key": "mwd_Vd3...the whole key, shown once"}
ACCOUNT_KEY = {k: v for k, v in ex.API_KEY.items() if k != "organizationId"} | {"scope": "account"}
NAME_QUERY = [query("name", "The key's name, for clients that cannot send a DELETE body.")]


def _keys(summary: str, tag: str, *, account: bool, **changes) -> Operation:
    example = ACCOUNT_KEY if account else ex.API_KEY
    who = (
        "An account API key, or a signed-in admin, manages the keys of its own account."
        if account
        else "Admins of the organization."
    )
    values = {
        "auth": "management",
        "app_id": False,
        "response": ref("ApiKey"),
        "response_example": example,
        "errors": (401, 403),
        "description": who,
        **changes,
    }
    if not account:
        values["path"] = {**ORGANIZATION_ID, **values.get("path", {})}
    return Operation(summary, tag, **values)


def _deleting(summary: str, tag: str, *, account: bool, by_body: bool) -> Operation:
    if by_body:
        return _keys(
            summary,
            tag,
            account=account,
            request=ref("ApiKeyName"),
            request_required=False,
            request_example={"name": "Front desk app"},
            query=NAME_QUERY,
            response_example={**ex.API_KEY, "revokedAt": "2026-11-21T07:00:00+00:00"},
        )
    return _keys(
        summary,
        tag,
        account=account,
        path=KEY_NAME,
        response_example={**ex.API_KEY, "revokedAt": "2026-11-21T07:00:00+00:00"},
    )


ORG_KEYS = "Manage Organization API Keys"
ACCOUNT_KEYS = "Manage Account API Keys"

OPERATIONS: dict = {
    "api.organizations_list": Operation(
        "Get organizations the user is a member of",
        "Manage Organizations",
        auth="management",
        app_id=False,
        query=page_query(10),
        response=array(ref("Organization")),
        response_example=[ex.ORGANIZATION],
        paginated=True,
        errors=(401,),
        description="An account key lists its user's organizations; an organization key "
        "or staff token the X-APP-ID one.",
    ),
    "api.organization_create": Operation(
        "Create a new organization",
        "Manage Organizations",
        auth="management",
        app_id=False,
        request=ref("OrganizationInput"),
        request_example={"name": "North Clinic", "timezone": "Asia/Riyadh", "slug": "north"},
        response=ref("Organization"),
        response_example=ex.ORGANIZATION,
        status=201,
        errors=(401, 403),
        description="With an account API key; its user becomes the owner. Send the answer's "
        "appId as X-APP-ID to manage it.",
    ),
    "api.organization_detail": Operation(
        "Get a single organization by ID",
        "Manage Organizations",
        auth="management",
        app_id=False,
        response=ref("Organization"),
        response_example=ex.ORGANIZATION,
        errors=(401,),
        path=ORGANIZATION_ID,
        description="With its website's appId and the caller's role in it.",
    ),
    "api.organization_update": Operation(
        "Update an existing organization",
        "Manage Organizations",
        auth="management",
        app_id=False,
        request=ref("OrganizationInput"),
        request_example={"name": "Demo Dental Clinic", "timezone": "Asia/Riyadh"},
        response=ref("Organization"),
        response_example={**ex.ORGANIZATION, "name": "Demo Dental Clinic"},
        errors=(401, 403),
        path=ORGANIZATION_ID,
        description="Admins.",
    ),
    "api.organization_delete": Operation(
        "Delete an organization (soft delete by default)",
        "Manage Organizations",
        auth="management",
        app_id=False,
        query=[query("hardDelete", "Not offered: true answers 422.", BOOLEAN_QUERY)],
        response=ref("OrganizationDeleted"),
        response_example={
            "id": ex.ORGANIZATION["id"],
            "isDeleted": True,
            "deletedAt": "2026-11-21T07:00:00+00:00",
        },
        errors=(401, 403),
        path=ORGANIZATION_ID,
        description="Owners. The organization is closed: kept, but hidden from every API and "
        "sign-in.",
    ),
    "api.organization_keys_list": _keys(
        "Get organization API keys",
        ORG_KEYS,
        account=False,
        response=array(ref("ApiKey")),
        response_example=[ex.API_KEY],
    ),
    "api.organization_key_create": _keys(
        "Create a new organization API key",
        ORG_KEYS,
        account=False,
        request=ref("ApiKeyName"),
        request_example={"name": "Front desk app"},
        response_example=NEW_KEY,
        status=201,
    ),
    "api.organization_key_delete": _deleting(
        "Delete an organization API key", ORG_KEYS, account=False, by_body=False
    ),
    "api.organization_key_delete_by_body": _deleting(
        "Delete an organization API key", ORG_KEYS, account=False, by_body=True
    ),
    "api.account_keys_list": _keys(
        "Get account API keys",
        ACCOUNT_KEYS,
        account=True,
        response=array(ref("ApiKey")),
        response_example=[ACCOUNT_KEY],
    ),
    "api.account_key_create": _keys(
        "Create a new account API key",
        ACCOUNT_KEYS,
        account=True,
        request=ref("ApiKeyName"),
        request_example={"name": "Provisioning script"},
        response_example={**ACCOUNT_KEY, "key": "mwd_Vd3...the whole key, shown once"},
        status=201,
    ),
    "api.account_key_delete": _deleting(
        "Delete an account API key", ACCOUNT_KEYS, account=True, by_body=False
    ),
    "api.account_key_delete_by_body": _deleting(
        "Delete an account API key", ACCOUNT_KEYS, account=True, by_body=True
    ),
    "api.webhooks_list": Operation(
        "List webhooks",
        "Manage Webhooks",
        auth="management",
        query=page_query(100),
        response=array(ref("Webhook")),
        response_example=[ex.WEBHOOK],
        paginated=True,
        errors=(401, 403),
        description="Admins. The organization's subscriptions.",
    ),
    "api.webhook_add": Operation(
        "Add a webhook",
        "Manage Webhooks",
        auth="management",
        request=ref("WebhookRequest"),
        request_example={
            "trigger": "newAppointment",
            "url": "https://hooks.example.com/mawid",
            "reference": "crm-1",
        },
        response={"const": "success"},
        response_example="success",
        envelope={
            "secret": {
                "type": "string",
                "description": "The signing secret (Standard Webhooks), shown this once.",
                "examples": ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
            }
        },
        status=201,
        also=(200,),
        errors=(401, 403),
        description="Admins. Creates a subscription (201) or renews the secret of the same "
        "trigger and address (200).",
    ),
    "api.webhook_delete": Operation(
        "Delete a webhook",
        "Manage Webhooks",
        auth="management",
        request=ref("WebhookRequest"),
        request_required=False,
        request_example={"trigger": "newAppointment", "url": "https://hooks.example.com/mawid"},
        query=[
            query("trigger", "Or in the body."),
            query("url", "Or in the body."),
            query("reference", "Or in the body."),
        ],
        response={"const": "success"},
        response_example="success",
        errors=(401, 403),
        description="Admins. Removes the subscriptions of the trigger and address.",
    ),
    "api.webhook_sample": Operation(
        "Generate sample webhook payload",
        "Manage Webhooks",
        auth="management",
        request=ref("WebhookSampleRequest"),
        request_example={"trigger": "newAppointment"},
        response=array(ref("WebhookPayload")),
        response_example=[
            {
                "id": ex.BOOKING["id"],
                "trigger": "newAppointment",
                "customer": {"firstName": "Sara", "lastName": "Ahmed"},
                "provider": {"id": ex.RESOURCE["id"], "name": "Dr Huda Al-Qahtani"},
                "resource": {"id": ex.RESOURCE["id"], "name": "Dr Huda Al-Qahtani"},
                "page": {"appId": "h66w3DSEcsKlu8ReaclX", "slug": "demo"},
                "type": {"id": ex.BOOKING_TYPE["id"], "name": "Checkup", "duration": 30},
                "dateTime": '"2026-11-22T07:00:00.000Z"',
                "info": {"status": "CONFIRMED", "startDate": "2026-11-22", "startTime": 1000},
                "data": {},
            }
        ],
        errors=(401, 403),
        description="Admins. What a delivery of the trigger carries.",
    ),
    "api.website_settings_get": Operation(
        "Get Website Details",
        "Manage Website",
        auth="management",
        query=[version_query()],
        response=ref("ManagedWebsite"),
        response_example=ex.MANAGED_WEBSITE,
        errors=(401,),
        description="Every setting of the live version (default) or the draft.",
    ),
    "api.website_settings_put": Operation(
        "Update Website",
        "Manage Website",
        auth="management",
        query=[version_query()],
        request=ref("WebsiteSettingsInput"),
        request_example={"holdMinutes": 15, "allowedDomains": ["https://shop.example.com"]},
        response=ref("ManagedWebsite"),
        response_example={**ex.MANAGED_WEBSITE, "holdMinutes": 15},
        errors=(401, 403),
        description="Admins. Members left out keep their value; written live, the draft "
        "follows every setting it had not changed on its own. slug and allowedDomains "
        "belong to the website and change at once.",
    ),
}
