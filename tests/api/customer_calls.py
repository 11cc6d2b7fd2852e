"""A signed-in customer of Shifa Clinic (``tests/api/shifa.py``) calling the customer API."""

from __future__ import annotations

from tests.api.shifa import Api
from tests.factories import make_customer
from webapp.models import Organization

SUNDAY = "2026-11-22"  # the day after the tests' fixed "now", a working day


def new_customer(api: Api, **values) -> tuple[str, str]:
    """A customer of the clinic: (id, ``Authorization`` header value)."""
    with api.site.db() as session:
        organization = session.get(Organization, api.site.organization_id)
        customer_id = make_customer(session, organization, **values).id
        session.commit()
    return customer_id, api.token(customer_id=customer_id)


def call(api: Api, method: str, path: str, token: str | None = None, json=None, **headers):
    sent = {"X-APP-ID": api.app_id, **headers}
    if token:
        sent["Authorization"] = token
    return api.client.open(path, method=method, json=json, headers=sent)


def book(
    api: Api,
    token: str | None,
    *,
    doctor: str | None = "huda",
    key: str | None = None,
    lang: str | None = None,
    **body,
):
    """Book Sunday 09:00 with Dr Huda unless ``body`` says otherwise; ``None`` drops a member."""
    wanted = {"type": api.site.types["consultation"], "date": SUNDAY, "time": 900, **body}
    if doctor and "resourceFilters" not in body:
        wanted["resourceFilters"] = {"resource": api.site.resources[doctor]}
    wanted = {k: v for k, v in wanted.items() if v is not None}
    headers = {}
    if key:
        headers["Idempotency-Key"] = key
    if lang:
        headers["lang"] = lang
    return call(api, "PUT", "/api/customer/scheduling/new", token, wanted, **headers)
