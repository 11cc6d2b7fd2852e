"""What each API operation takes and answers, for the OpenAPI description and the docs page.

Keyed by Flask endpoint; a value is an ``Operation`` (one method) or ``{method: Operation}``.
One module per group of calls; they are merged here."""

from __future__ import annotations

from webapp.api.openapi import (
    operations_accounts,
    operations_bookings,
    operations_catalog,
    operations_customer,
    operations_integrations,
    operations_public,
)
from webapp.api.openapi.model import Operation, array, query, ref

__all__ = ["OPERATIONS", "TAGS", "Operation", "array", "query", "ref"]

# The groups, in the order the API's documentation tells them (seed 002's), with what each is.
TAGS = {
    "Authentication": "One-time codes and tokens, for customers and staff.",
    "Availability": "What a website offers: resources, categories, booking types, free times.",
    "Custom Fields": "The questions a customer answers when booking.",
    "Customer Scheduling": "A signed-in customer books.",
    "My Bookings": "The signed-in customer's bookings.",
    "My Profile": "The signed-in customer's details.",
    "My Invoices": "The signed-in customer's invoices.",
    "Manage Resources": "Staff: the people and places that are booked.",
    "Manage Types": "Staff: the booking types (services).",
    "Manage Customers": "Staff: the organization's customers.",
    "Manage Bookings": "Staff: bookings, requests and the queue.",
    "Manage Scheduling": "Staff: book, hold and confirm for a customer.",
    "Manage Time Rules": "Staff: a resource's working hours.",
    "Manage Off Rules": "Staff: a resource's time off.",
    "Manage Custom Fields": "Staff: the customer and booking questions.",
    "Manage Organizations": "Organizations and the caller's role in them.",
    "Manage Organization API Keys": "Keys that manage one organization.",
    "Manage Account API Keys": "Keys that act for an account in all its organizations.",
    "Manage API Clients": "Applications that get tokens at /oauth/token to book.",
    "Manage Booking Partners": "Reservation partners that call the booking server.",
    "Manage Invoices": "Staff: the organization's invoices.",
    "Manage Webhooks": "Staff: webhook subscriptions and sample payloads.",
    "Manage Website": "Staff: the booking website's settings, live or draft.",
    "Website": "The booking website of an app id, or of an address.",
}

OPERATIONS: dict = {}
for _module in (
    operations_public,
    operations_customer,
    operations_catalog,
    operations_bookings,
    operations_accounts,
    operations_integrations,
):
    _clash = set(OPERATIONS) & set(_module.OPERATIONS)
    assert not _clash, f"operations described twice: {_clash}"
    OPERATIONS.update(_module.OPERATIONS)

_unknown = {op.tag for op in OPERATIONS.values()} - set(TAGS)
assert not _unknown, f"operations in groups with no description: {_unknown}"
