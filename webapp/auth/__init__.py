"""Customer identity: one-time codes for signing in and verifying bookings."""
