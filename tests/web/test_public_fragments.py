"""One address, a page or a fragment: HTMX swaps only the booking flow, every address it
pushes still renders a whole page, and caches keep the two apart."""

from __future__ import annotations

import json

import pytest

from tests.web.conftest import path_of, starts, step_title, text

HTMX_FLOW = {"HX-Request": "true", "HX-Target": "flow"}


def test_htmx_step_is_only_the_flow(site):
    page = site.client.get(site.url("/book", type=site.types["consultation"]), headers=HTMX_FLOW)
    html = text(page)

    assert page.status_code == 200
    assert "<html" not in html
    assert "<footer" not in html
    assert step_title(page) == "Choose who you would like to see"
    assert "<title>Choose who you would like to see · Shifa Clinic</title>" in html


def test_same_step_without_htmx_is_a_whole_page(site):
    page = site.client.get(site.url("/book", type=site.types["consultation"]))
    html = text(page)

    assert html.lstrip().startswith("<!doctype html>")
    assert '<div id="flow"' in html
    assert "<footer" in html
    assert step_title(page) == "Choose who you would like to see"


def test_htmx_home_is_only_the_flow(site):
    html = text(site.client.get(site.url("/"), headers=HTMX_FLOW))

    assert "<html" not in html
    assert "Shifa Clinic" in html
    assert "Consultation</a>" in html


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"HX-Request": "true", "HX-Target": "main"}, id="another-target"),
        pytest.param({"HX-Request": "true"}, id="no-target"),
        pytest.param({**HTMX_FLOW, "HX-History-Restore-Request": "true"}, id="history-restore"),
    ],
)
def test_other_htmx_requests_get_the_whole_page(site, headers):
    html = text(site.client.get(site.url("/book"), headers=headers))

    assert "<html" in html


def test_times_fragment_is_the_times_of_one_day(site):
    reply = site.client.get(
        site.url(
            "/book/times",
            type=site.types["consultation"],
            resource=site.resources["huda"],
            date="2026-11-23",
        ),
        headers={"HX-Request": "true", "HX-Target": "times"},
    )
    html = text(reply)

    assert reply.status_code == 200
    assert html.lstrip().startswith('<div id="times"')
    assert "<html" not in html
    assert "cal-grid" not in html
    assert "Monday, November 23, 2026" in html
    assert starts(reply)[0] == "2026-11-23T09:00:00+03:00"
    assert len(starts(reply)) == 14


def test_times_fragment_of_a_day_off_says_there_are_none(site):
    reply = site.client.get(
        site.url(
            "/book/times",
            type=site.types["consultation"],
            resource=site.resources["huda"],
            date="2026-11-27",
        ),
        headers={"HX-Request": "true"},
    )

    assert reply.status_code == 200
    assert "No free times on this day." in text(reply)
    assert starts(reply) == []


def test_times_address_without_htmx_is_the_whole_time_step(site):
    page = site.client.get(
        site.url(
            "/book/times",
            type=site.types["consultation"],
            resource=site.resources["huda"],
            date="2026-11-23",
        )
    )
    html = text(page)

    assert "<html" in html
    assert "cal-grid" in html
    assert 'aria-current="date">23</a>' in html
    assert starts(page)[0] == "2026-11-23T09:00:00+03:00"


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"date": "2026-11-23"}, id="no-service"),
        pytest.param({"type": "nope", "date": "2026-11-23"}, id="unknown-service"),
        pytest.param({"type": "consultation"}, id="no-date"),
    ],
)
def test_times_fragment_needs_a_known_service_and_a_day(site, params):
    if params.get("type") == "consultation":
        params = {**params, "type": site.types["consultation"]}

    reply = site.client.get(site.url("/book/times", **params), headers={"HX-Request": "true"})

    assert reply.status_code == 404


def test_htmx_hold_moves_the_flow_to_the_details(site):
    start = starts(site.time_step())[0]

    reply = site.client.post(
        site.url("/book/hold"),
        data={
            "type": site.types["consultation"],
            "resource": site.resources["huda"],
            "start": start,
        },
        headers=HTMX_FLOW,
    )
    location = json.loads(reply.headers["HX-Location"])

    assert reply.status_code == 200
    assert location["target"] == "#flow"
    assert location["path"].startswith(f"/{site.slug}/hold/")
    assert site.client.get(location["path"]).status_code == 200


def test_plain_hold_redirects_with_see_other(site):
    held = site.hold_first()

    assert held.status_code == 303
    assert path_of(held.headers["Location"]).startswith(f"/{site.slug}/hold/")
    assert "HX-Location" not in held.headers


def _responses(site):
    consultation, huda = site.types["consultation"], site.resources["huda"]
    yield "home", site.client.get(site.url("/"))
    yield "fragment", site.client.get(site.url("/book"), headers=HTMX_FLOW)
    yield "time step", site.time_step()
    yield (
        "times",
        site.client.get(
            site.url("/book/times", type=consultation, resource=huda, date="2026-11-23"),
            headers={"HX-Request": "true"},
        ),
    )
    held = site.hold_first()
    yield "hold", held
    yield "details", site.client.get(path_of(held.headers["Location"]))
    yield "not found", site.client.get(site.url("/book", type="nope"))
    yield "account", site.client.get(site.url("/account/"))


def test_every_answer_varies_by_htmx(site):
    for name, reply in _responses(site):
        assert "HX-Request" in reply.headers.get("Vary", ""), name
