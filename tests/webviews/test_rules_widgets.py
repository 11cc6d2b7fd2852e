"""The working-hours and time-off admin widgets over HTTP: the seed's addresses, the same
editors as the admin, acting as the token's member."""

from __future__ import annotations

import json
import re

from tests.admin.conftest import text
from tests.webviews.test_add_appointment import _bearer
from webapp.extensions import db
from webapp.models import OffRules, TimeRules


def _url(kind, clinic, resource_id, form=True):
    base = f"/settings/{kind}" + ("/form" if form else "")
    return f"{base}?webview=true&id={resource_id}&orgId={clinic.organization_id}&lang=en"


def test_the_seed_addresses_answer_only_as_webviews(client, clinic):
    shell = client.get(_url("timeRules", clinic, clinic.own_resource_id, form=False))
    assert shell.status_code == 200
    assert "/settings/timeRules/form?" in text(shell)
    plain = client.get(
        f"/settings/offRules?id={clinic.own_resource_id}&orgId={clinic.organization_id}"
    )
    assert plain.status_code == 404


def _periods(page) -> dict:
    """The form as the page shows it (every input with its value), so saving it unchanged
    must succeed."""
    data: dict = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', text(page)):
        if name != "op":
            data.setdefault(name, value)
    for name in re.findall(
        r'<input[^>]*type="checkbox"[^>]*name="([^"]+)"[^>]*checked', text(page)
    ):
        data.setdefault(name, "1")
    return data


def test_an_unchanged_form_saves_and_tells_the_host(app, client, clinic):
    url = _url("timeRules", clinic, clinic.own_resource_id)
    page = client.get(url, headers=_bearer(app, clinic))
    checked = re.findall(r'name="open" value="([a-z]+)" checked', text(page))
    data = {k: v for k, v in _periods(page).items() if k != "open"}
    response = client.post(url, data={**data, "open": checked}, headers=_bearer(app, clinic))

    assert response.status_code == 200, text(response)[:800]
    event = re.search(r"data-webview-event>(.*?)</script>", text(response)).group(1)
    assert json.loads(event)["type"] == "time-rules-saved"
    with app.app_context():
        assert db.session.get(TimeRules, clinic.own_resource_id).rules


def test_time_off_widget_adds_a_holiday(app, client, clinic):
    url = _url("offRules", clinic, clinic.own_resource_id)
    response = client.post(
        url,
        data={
            "date_count": "1",
            "date-0-date": "2026-12-31",
            "date-0-note": "New Year",
            "op": "save",
        },
        headers=_bearer(app, clinic),
    )

    assert response.status_code == 200, text(response)[:800]
    with app.app_context():
        rules = db.session.get(OffRules, clinic.own_resource_id).rules
        assert {"type": "date", "date": "2026-12-31"}.items() <= rules[0].items()


def test_a_colleagues_resource_and_a_foreign_token_are_refused(app, client, clinic, other_clinic):
    colleague = _url("timeRules", clinic, clinic.other_resource_id)
    assert client.get(colleague, headers=_bearer(app, clinic)).status_code == 404
    # The owner manages every resource.
    assert client.get(colleague, headers=_bearer(app, clinic, clinic.owner_id)).status_code == 200
    mine = _url("offRules", clinic, clinic.own_resource_id)
    assert client.get(mine, headers=_bearer(app, other_clinic)).status_code == 401
    assert client.get(mine).status_code == 401
