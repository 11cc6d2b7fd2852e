"""SQLAlchemy models, one module per aggregate. Import from here."""

from webapp.models import revisions  # noqa: F401  (keeps the catalog revision current)
from webapp.models.api_keys import ApiKey
from webapp.models.booking_types import BookingType
from webapp.models.bookings import Booking, BookingHistory, BookingStatus
from webapp.models.calendars import CalendarFeed, ExternalBusyTime, ExternalCalendar
from webapp.models.custom_fields import CustomField
from webapp.models.customers import Customer
from webapp.models.idempotency import IdempotencyRecord
from webapp.models.integrations import BookingPartner, OAuthClient, PartnerBooking
from webapp.models.invoices import Invoice, Payment
from webapp.models.organizations import Organization
from webapp.models.otp import OtpChallenge
from webapp.models.outbox import BookingReminder, EmailOut, OutboxMessage
from webapp.models.resources import Resource, ResourceCategory, resource_types
from webapp.models.rules import OffRules, TimeRules
from webapp.models.tokens import RefreshToken
from webapp.models.users import Member, User, member_resources
from webapp.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookSubscription
from webapp.models.websites import Website, WebsiteVersion

__all__ = [
    "WebhookDelivery",
    "WebhookAttempt",
    "ExternalCalendar",
    "ExternalBusyTime",
    "EmailOut",
    "CalendarFeed",
    "BookingReminder",
    "ApiKey",
    "BookingPartner",
    "OAuthClient",
    "PartnerBooking",
    "Booking",
    "BookingHistory",
    "BookingStatus",
    "BookingType",
    "Customer",
    "CustomField",
    "IdempotencyRecord",
    "Invoice",
    "Payment",
    "Member",
    "OffRules",
    "Organization",
    "OtpChallenge",
    "OutboxMessage",
    "RefreshToken",
    "Resource",
    "ResourceCategory",
    "TimeRules",
    "User",
    "WebhookSubscription",
    "Website",
    "WebsiteVersion",
    "member_resources",
    "resource_types",
]
