"""Whether slots can be booked now, for the booking server's BatchAvailabilityLookup: the
same answer CreateBooking would give, read with the fewest queries."""

from __future__ import annotations

from sqlalchemy.orm import Session

from webapp.booking import availability as av
from webapp.booking import intervals as iv
from webapp.booking import lifecycle
from webapp.booking.errors import BookingError
from webapp.integrations import booking_server_shapes as shapes
from webapp.integrations.booking_server_bookings import Terms
from webapp.integrations.booking_server_shapes import SlotRequest


class SlotChecker:
    """Whether slots can be booked now, exactly as CreateBooking would book them (the
    website's services and resources, the customers' grid, notice and horizon). Each
    service and resource is read once per lookup, and each day's free times once."""

    def __init__(self, session: Session, terms: Terms):
        self.session = session
        self.terms = terms
        self._contexts: dict = {}
        self._starts: dict = {}

    def check(self, slot: SlotRequest) -> tuple[bool, str | None]:
        """Whether the slot is available, and the service's confirmation mode (None for a
        service or resource that cannot be booked here)."""
        ctx = self._context(slot.service_id, slot.resource_id)
        if ctx is None:
            return False, None
        mode = shapes.confirmation_mode(ctx.booking_type, self.terms.organization)
        if not slot.fits_one_booking or slot.duration_sec != ctx.service.duration * 60:
            return False, mode
        return slot.start_sec in self._free_starts(ctx, slot), mode

    def _context(self, service_id: str, resource_id: str | None) -> av.BookingContext | None:
        key = (service_id, resource_id)
        if key not in self._contexts:
            try:
                ctx = av.load_context(
                    self.session,
                    self.terms.organization,
                    service_id,
                    resource_ids=[resource_id] if resource_id else None,
                    strict_adjusters=True,  # a question customers must answer: not bookable
                )
            except BookingError:
                ctx = None
            self._contexts[key] = ctx if ctx is not None and ctx.plans else None
        return self._contexts[key]

    def _free_starts(self, ctx: av.BookingContext, slot: SlotRequest) -> set[int]:
        day = slot.start.astimezone(iv.zone(self.terms.timezone)).date()
        key = (slot.service_id, slot.resource_id, day)
        if key not in self._starts:
            found = av.find_available_slots(
                self.session,
                self.terms.organization,
                ctx.booking_type.id,
                day,
                day,
                timezone=self.terms.timezone,
                grid=lifecycle.CUSTOMER_GRID,
                now=self.terms.now,
                context=ctx,
            )
            self._starts[key] = {shapes.epoch(s.start) for d in found.days for s in d.slots}
        return self._starts[key]
