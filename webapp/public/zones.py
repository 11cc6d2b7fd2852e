"""Timezones a customer can switch to."""

from __future__ import annotations

from datetime import datetime

from webapp.booking import intervals as iv

# A short list that covers the customers of most businesses; any valid zone is accepted too.
COMMON_ZONES = (
    "Asia/Riyadh",
    "Asia/Dubai",
    "Asia/Qatar",
    "Asia/Kuwait",
    "Asia/Bahrain",
    "Asia/Muscat",
    "Africa/Cairo",
    "Asia/Amman",
    "Asia/Beirut",
    "Europe/Istanbul",
    "Africa/Casablanca",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
)


def label(name: str, now: datetime) -> str:
    offset = now.astimezone(iv.zone(name)).strftime("%z")
    place = name.split("/")[-1].replace("_", " ")
    return f"{place} (UTC{offset[:3]}:{offset[3:]})"


def choices(current: str, business: str, now: datetime) -> list[tuple[str, str]]:
    names = dict.fromkeys([current, business, *COMMON_ZONES])
    return [(name, label(name, now)) for name in names]
