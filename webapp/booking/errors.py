"""Domain errors: data with a stable code, a human message, details and an HTTP status.

Surfaces render them: HTML re-renders the form with 422, JSON answers
``{"error": {"code", "message", "details"}}`` with ``http_status``.
"""

from __future__ import annotations

from typing import Any


class BookingError(Exception):
    code = "BOOKING_ERROR"
    http_status = 400
    default_message = "The request could not be completed."

    def __init__(self, message: str | None = None, **details: Any):
        self.message = message or self.default_message
        self.details = {k: v for k, v in details.items() if v is not None}
        super().__init__(self.message)

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "details": self.details}


class ValidationFailed(BookingError):
    code = "VALIDATION_ERROR"
    http_status = 422
    default_message = "Some fields are missing or invalid."


class NotFound(BookingError):
    code = "NOT_FOUND"
    http_status = 404
    default_message = "Not found."


class BookingConflict(BookingError):
    code = "BOOKING_CONFLICT"
    http_status = 409
    default_message = "The requested time slot is not available."


class InvalidService(BookingError):
    code = "INVALID_SERVICE"
    http_status = 404
    default_message = "Service ID not found."


class InvalidResource(BookingError):
    code = "INVALID_RESOURCE"
    http_status = 404
    default_message = "Resource not found or it does not offer this service."


class InvalidTime(BookingError):
    code = "INVALID_TIME"
    http_status = 422
    default_message = "The requested time is not a bookable time."


class OutsideWindow(BookingError):
    code = "OUTSIDE_WINDOW"
    http_status = 422
    default_message = "The requested time is outside the booking window."


class InvalidTimezone(BookingError):
    code = "INVALID_TIMEZONE"
    http_status = 422
    default_message = "Unknown timezone; use an IANA name such as 'Asia/Riyadh'."


class HoldExpired(BookingError):
    code = "HOLD_EXPIRED"
    http_status = 409
    default_message = "The hold on this time has expired; please pick the time again."


class InvalidTransition(BookingError):
    code = "INVALID_TRANSITION"
    http_status = 409
    default_message = "The booking cannot change to that status from its current status."


class AlreadyAssigned(BookingError):
    code = "SCH-ALREADY_ASSIGNED"
    http_status = 400
    default_message = "This booking has already been assigned to a resource."


class BookingExpired(BookingError):
    code = "BKS-110"
    http_status = 400
    default_message = "This booking has expired."


class InvalidIdempotencyKey(BookingError):
    code = "INVALID_IDEMPOTENCY_KEY"
    http_status = 400
    default_message = "Idempotency keys are 1 to 255 visible ASCII characters without spaces."


class IdempotencyKeyReused(BookingError):
    code = "IDEMPOTENCY_KEY_REUSED"
    http_status = 422
    default_message = "This idempotency key was already used with a different request."


class IdempotencyInProgress(BookingError):
    code = "IDEMPOTENCY_IN_PROGRESS"
    http_status = 409
    default_message = "A request with this idempotency key is still being processed."


class RateLimited(BookingError):
    code = "RATE_LIMITED"
    http_status = 429
    default_message = "Too many requests; please wait a little and try again."


class CodeInvalid(ValidationFailed):
    code = "OTP_INVALID"
    default_message = "That code is not correct."


class CodeExpired(ValidationFailed):
    code = "OTP_EXPIRED"
    default_message = "This code has expired; please request a new code."
