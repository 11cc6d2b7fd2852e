"""Working hours and time off: the weekly editor with several periods a day, dates with other
hours, the booking window, vacations, weekly days off and holidays; editing buttons that
change the form without saving; and who may edit which resource's rules."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import pytest
from flask import render_template

from tests.admin.conftest import csrf_token, htmx, text
from tests.conftest import NOW
from webapp.admin.rules import read_time_rules_form, time_rules_document, time_rules_values
from webapp.booking.availability import find_available_slots
from webapp.booking.slots import grid_for_flags
from webapp.extensions import db
from webapp.models import OffRules, Organization, Resource, TimeRules

HOURLY = grid_for_flags({})
STANDARD_WEEK = [
    {
        "days": ["sunday", "monday", "tuesday", "wednesday", "thursday"],
        "times": [{"start": 900, "end": 1300}, {"start": 1400, "end": 1700}],
    }
]


class _Form(HTMLParser):
    """What a browser would submit from one form: its fields, checked boxes and radios."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or tag != "input" or "name" not in attrs:
            return
        if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
            return
        self.fields.append((attrs["name"], attrs.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_fields(response, form_id="time-rules-editor") -> list[tuple[str, str]]:
    parser = _Form(form_id)
    parser.feed(text(response))
    return parser.fields


def posted(fields, op: str | None = None, **changes) -> dict[str, list[str]]:
    """The fields as a post body, sent by the button ``op``; ``changes`` replace fields
    (``sunday_start`` is the field ``sunday-start``)."""
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        data[name.replace("_", "-")] = value if isinstance(value, list) else [value]
    if op:
        data["op"] = [op]
    return data


def time_url(resource_id: str) -> str:
    return f"/admin/resources/{resource_id}/time-rules"


def off_url(resource_id: str) -> str:
    return f"/admin/resources/{resource_id}/off-rules"


def stored_time_rules(app, resource_id: str) -> TimeRules:
    with app.app_context():
        row = db.session.get(TimeRules, resource_id)
        db.session.expunge_all()
        return row


def stored_off_rules(app, resource_id: str) -> list | None:
    with app.app_context():
        row = db.session.get(OffRules, resource_id)
        return None if row is None else list(row.rules)


def slot_times(app, clinic, first: date, last: date) -> dict[str, list[str]]:
    """What a customer is offered with the staff member's resource, by date."""
    with app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        availability = find_available_slots(
            db.session,
            organization,
            clinic.type_id,
            first,
            last,
            timezone="Asia/Riyadh",
            grid=HOURLY,
            now=NOW,
            resource_ids=[clinic.own_resource_id],
        )
        return {
            day.date.isoformat(): [slot.start.strftime("%H:%M") for slot in day.slots]
            for day in availability.days
        }


WEEK_WITH_A_BREAK = {
    "open": ["sunday", "monday", "tuesday"],
    "sunday-start": ["09:00", "14:00"],
    "sunday-end": ["12:00", "17:00"],
    "monday-start": ["14:00", "09:00"],
    "monday-end": ["17:00", "12:00"],
    "tuesday-start": ["10:00"],
    "tuesday-end": ["16:00"],
    # Typed on a day left unticked: the day stays closed.
    "wednesday-start": ["08:00"],
    "wednesday-end": ["10:00"],
    "range_count": "1",
    "range-0-from": "2026-11-29",
    "range-0-to": "2026-11-30",
    "range-0-start": ["10:00"],
    "range-0-end": ["13:00"],
    "depth_of_days": "60",
    "notice_mode": "hours",
    "notice_hours": "2",
}


# --- working hours ------------------------------------------------------------------------


def test_the_page_shows_the_stored_hours_and_the_resources_time_zone(app, owner, clinic):
    with app.app_context():
        db.session.get(Resource, clinic.own_resource_id).timezone = "Africa/Cairo"
        db.session.commit()

    response = owner.get(time_url(clinic.own_resource_id))

    page = text(response)
    assert response.status_code == 200
    assert "Working hours of Dr Salma" in page
    assert "Africa/Cairo" in page
    fields = form_fields(response)
    assert ("sunday-start", "09:00") in fields and ("sunday-end", "13:00") in fields
    assert ("thursday-start", "14:00") in fields and ("thursday-end", "17:00") in fields
    assert ("open", "friday") not in fields and ("open", "sunday") in fields
    assert ("depth_of_days", "60") in fields and ("notice_mode", "now") in fields


def test_an_owner_saves_weekly_hours_with_two_periods_and_a_date_range_customers_see_them(
    app, owner, clinic, nocsrf
):
    response = owner.post(time_url(clinic.own_resource_id), data=WEEK_WITH_A_BREAK)

    assert response.status_code == 303
    assert response.headers["Location"] == time_url(clinic.own_resource_id)
    row = stored_time_rules(app, clinic.own_resource_id)
    assert row.depth_of_days == 60
    assert row.schedule_after_hours_from_now == 2
    assert row.rules == [
        {
            "days": ["sunday", "monday"],
            "times": [{"start": 900, "end": 1200}, {"start": 1400, "end": 1700}],
        },
        {"days": ["tuesday"], "times": [{"start": 1000, "end": 1600}]},
        {
            "from": "2026-11-29",
            "to": "2026-11-30",
            "days": [],
            "times": [{"start": 1000, "end": 1300}],
        },
    ]
    offered = slot_times(app, clinic, date(2026, 11, 22), date(2026, 11, 30))
    assert offered["2026-11-22"] == ["09:00", "10:00", "11:00", "14:00", "15:00", "16:00"]
    assert offered["2026-11-24"] == ["10:00", "11:00", "12:00", "13:00", "14:00", "15:00"]
    assert "2026-11-25" not in offered  # Wednesday stays closed
    # The date range replaces Sunday's and Monday's weekly hours on its dates.
    assert offered["2026-11-29"] == offered["2026-11-30"] == ["10:00", "11:00", "12:00"]
    assert "Working hours saved." in text(owner.get(time_url(clinic.own_resource_id)))


def test_a_resource_without_rules_gets_them_created(app, owner, clinic, nocsrf):
    with app.app_context():
        db.session.delete(db.session.get(TimeRules, clinic.other_resource_id))
        db.session.commit()
    assert 'name="depth_of_days" value="30"' in text(owner.get(time_url(clinic.other_resource_id)))

    owner.post(
        time_url(clinic.other_resource_id),
        data={
            "open": "friday",
            "friday-start": "16:00",
            "friday-end": "00:00",
            "depth_of_days": "0",
            "notice_mode": "tomorrow",
        },
    )

    row = stored_time_rules(app, clinic.other_resource_id)
    assert row.rules == [{"days": ["friday"], "times": [{"start": 1600, "end": 2400}]}]
    assert (row.depth_of_days, row.schedule_after_hours_from_now) == (0, -1)


def test_an_htmx_save_answers_with_a_toast_and_reloads_the_page(app, owner, clinic, nocsrf):
    response = owner.post(
        time_url(clinic.own_resource_id),
        data=WEEK_WITH_A_BREAK,
        headers=htmx(target="time-rules-editor"),
    )

    assert response.status_code == 200
    assert "Working hours saved." in response.headers["HX-Trigger"]
    assert response.headers["HX-Location"] == time_url(clinic.own_resource_id)


def test_saving_the_page_unchanged_keeps_the_hours_as_they_were(app, owner, clinic):
    page = owner.get(time_url(clinic.own_resource_id))

    response = owner.post(time_url(clinic.own_resource_id), data=posted(form_fields(page)))

    assert response.status_code == 303
    row = stored_time_rules(app, clinic.own_resource_id)
    assert row.rules == STANDARD_WEEK
    assert csrf_token(page)


def test_editing_buttons_change_the_form_but_save_nothing(app, owner, clinic):
    page = owner.get(time_url(clinic.own_resource_id))

    added = owner.post(
        time_url(clinic.own_resource_id), data=posted(form_fields(page), "add:friday")
    )
    fields = form_fields(added)
    assert added.status_code == 200
    assert ("open", "friday") in fields and ("friday-start", "09:00") in fields
    assert 'id="f-friday-0-start" name="friday-start" value="09:00" autofocus' in text(added)

    second = owner.post(time_url(clinic.own_resource_id), data=posted(fields, op="add:friday"))
    fields = form_fields(second)
    assert [v for n, v in fields if n == "friday-start"] == ["09:00", "18:00"]

    removed = owner.post(
        time_url(clinic.own_resource_id), data=posted(fields, op="remove:sunday:1")
    )
    fields = form_fields(removed)
    assert [v for n, v in fields if n == "sunday-start"] == ["09:00"]

    edited = posted(fields, "copy:sunday", sunday_start=["08:00"], sunday_end=["12:00"])
    copied = owner.post(time_url(clinic.own_resource_id), data=edited)
    fields = form_fields(copied)
    assert "hours are copied to Monday, Tuesday, Wednesday, Thursday, Friday" in text(copied)
    for day in ("monday", "thursday", "friday"):
        assert [v for n, v in fields if n == f"{day}-start"] == ["08:00"]
    assert ("saturday-start", "08:00") not in fields  # not a working day

    ranged = owner.post(time_url(clinic.own_resource_id), data=posted(fields, op="add-range"))
    fields = form_fields(ranged)
    assert ("range_count", "1") in fields and ("range-0-start", "09:00") in fields
    ranged = owner.post(
        time_url(clinic.own_resource_id),
        data=posted(fields, "add-range", range_0_from="2026-12-01"),
    )
    fields = posted(form_fields(ranged), "remove-range:0", range_1_from="2026-12-09")
    unranged = form_fields(owner.post(time_url(clinic.own_resource_id), data=fields))
    assert ("range_count", "1") in unranged and ("range-0-from", "2026-12-09") in unranged

    assert stored_time_rules(app, clinic.own_resource_id).rules == STANDARD_WEEK


def test_with_htmx_an_editing_button_swaps_only_the_editor(owner, clinic):
    page = owner.get(time_url(clinic.own_resource_id))

    response = owner.post(
        time_url(clinic.own_resource_id),
        data=posted(form_fields(page), op="add:saturday"),
        headers=htmx(target="time-rules-editor"),
    )

    body = text(response)
    assert response.status_code == 200
    assert body.lstrip().startswith('<form id="time-rules-editor"')
    assert "<html" not in body and "sidenav" not in body
    assert 'name="saturday-start" value="09:00"' in body


def test_bad_hours_come_back_marked_with_422_and_nothing_is_saved(app, owner, clinic, nocsrf):
    response = owner.post(
        time_url(clinic.own_resource_id),
        data={
            "open": ["sunday", "monday", "tuesday"],
            "sunday-start": ["09:00", "12:00"],
            "sunday-end": ["13:00", "15:00"],
            "monday-start": ["17:00"],
            "monday-end": ["09:00"],
            "tuesday-start": ["9am"],
            "tuesday-end": ["17:00"],
            "range_count": "2",
            "range-0-from": "2026-13-01",
            "range-0-to": "2026-12-05",
            "range-0-closed": "1",
            "range-1-from": "2026-12-10",
            "range-1-to": "2026-12-01",
            "range-1-closed": "1",
            "depth_of_days": "900",
            "notice_mode": "hours",
            "notice_hours": "soon",
        },
        headers=htmx(target="time-rules-editor"),
    )

    page = text(response)
    assert response.status_code == 422
    assert "Sunday: the periods 09:00–13:00 and 12:00–15:00 overlap." in page
    assert "Monday, period 1: it ends (09:00) before it starts (17:00)." in page
    assert "Tuesday, period 1: enter a start and an end" in page
    assert "Date range 1: enter its first day as a date." in page
    assert "Date range 2: the last day (2026-12-01) is before the first (2026-12-10)." in page
    assert "0 (no limit) to 730 days" in page
    assert "Enter the minimum notice as a whole number of hours." in page
    assert 'id="f-monday-0-start" name="monday-start" value="17:00" aria-invalid="true"' in page
    assert 'value="9am"' in page  # what was typed comes back
    assert stored_time_rules(app, clinic.own_resource_id).rules == STANDARD_WEEK


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"depth_of_days": "-1"}, "0 (no limit) to 730 days"),
        ({"depth_of_days": "731"}, "0 (no limit) to 730 days"),
        ({"depth_of_days": "a month"}, "Enter a whole number of days"),
        ({"notice_mode": "hours", "notice_hours": "0"}, "whole number of hours"),
        ({"notice_mode": "hours", "notice_hours": "9000"}, "up to 8760 hours"),
        ({"range_count": "1", "range-0-from": "2026-12-01"}, "add working hours, or mark"),
        (
            {
                "range_count": "2",
                "range-0-from": "2026-12-01",
                "range-0-to": "2026-12-07",
                "range-0-closed": "1",
                "range-1-from": "2026-12-05",
                "range-1-closed": "1",
            },
            "Date range 2 shares dates with date range 1",
        ),
    ],
)
def test_out_of_range_settings_are_refused(app, owner, clinic, nocsrf, changes, message):
    data = {"open": "sunday", "sunday-start": "09:00", "sunday-end": "17:00"}
    data.update({"depth_of_days": "30", "notice_mode": "now", **changes})

    response = owner.post(time_url(clinic.own_resource_id), data=data)

    assert response.status_code == 422
    assert message in text(response)
    assert stored_time_rules(app, clinic.own_resource_id).rules == STANDARD_WEEK


def test_a_closed_date_range_closes_those_dates(app, owner, clinic, nocsrf):
    data = {
        "open": ["sunday", "monday"],
        "sunday-start": "09:00",
        "sunday-end": "17:00",
        "monday-start": "09:00",
        "monday-end": "17:00",
        "range_count": "1",
        "range-0-from": "2026-11-23",
        "range-0-to": "2026-11-23",
        "range-0-closed": "1",
        "range-0-start": "09:00",
        "range-0-end": "17:00",
        "depth_of_days": "30",
        "notice_mode": "now",
    }

    assert owner.post(time_url(clinic.own_resource_id), data=data).status_code == 303

    rules = stored_time_rules(app, clinic.own_resource_id).rules
    assert rules[-1] == {"from": "2026-11-23", "to": "2026-11-23", "days": [], "times": []}
    offered = slot_times(app, clinic, date(2026, 11, 22), date(2026, 11, 23))
    assert "2026-11-22" in offered and "2026-11-23" not in offered


# --- time off -------------------------------------------------------------------------------


def test_an_owner_adds_a_vacation_a_weekly_day_off_and_a_holiday(app, owner, clinic, nocsrf):
    response = owner.post(
        off_url(clinic.own_resource_id),
        data={
            "range_count": "2",
            "range-0-from": "",  # an empty row is left out
            "range-1-from": "2026-12-24T00:00",
            "range-1-to": "2026-12-26T00:00",
            "range-1-note": "Family trip",
            "weekly": ["friday", "saturday"],
            "date_count": "1",
            "date-0-date": "2026-12-31",
            "date-0-note": "New Year’s Eve",
        },
        headers=htmx(target="off-rules-editor"),
    )

    assert response.status_code == 200
    assert "Time off saved." in response.headers["HX-Trigger"]
    assert stored_off_rules(app, clinic.own_resource_id) == [
        {
            "type": "range",
            "from": "2026-12-24T00:00",
            "to": "2026-12-26T00:00",
            "note": "Family trip",
        },
        {"type": "weekly", "days": ["friday", "saturday"]},
        {"type": "date", "date": "2026-12-31", "note": "New Year’s Eve"},
    ]
    offered = slot_times(app, clinic, date(2026, 12, 23), date(2026, 12, 31))
    assert "2026-12-23" in offered and "2026-12-30" in offered
    assert not {"2026-12-24", "2026-12-25", "2026-12-31"} & set(offered)
    page = owner.get(off_url(clinic.own_resource_id))
    fields = form_fields(page, "off-rules-editor")
    assert ("range-0-note", "Family trip") in fields and ("weekly", "friday") in fields
    assert ("date-0-date", "2026-12-31") in fields
    assert "Asia/Riyadh" in text(page)


def test_time_off_stored_with_bare_dates_shows_as_date_times(app, owner, clinic):
    with app.app_context():
        db.session.add(
            OffRules(
                resource_id=clinic.own_resource_id,
                organization_id=clinic.organization_id,
                rules=[{"type": "range", "from": "2026-12-24", "to": "2026-12-25", "note": ""}],
            )
        )
        db.session.commit()

    fields = form_fields(owner.get(off_url(clinic.own_resource_id)), "off-rules-editor")

    assert ("range-0-from", "2026-12-24T00:00") in fields
    assert ("range-0-to", "2026-12-26T00:00") in fields  # the whole last day is off


def test_editing_time_off_rows_saves_nothing(app, owner, clinic):
    page = owner.get(off_url(clinic.own_resource_id))

    added = owner.post(
        off_url(clinic.own_resource_id),
        data=posted(form_fields(page, "off-rules-editor"), op="add-date"),
    )
    fields = form_fields(added, "off-rules-editor")
    assert ("date_count", "1") in fields and 'id="f-date-0-date"' in text(added)
    added = owner.post(off_url(clinic.own_resource_id), data=posted(fields, op="add-range"))
    fields = form_fields(added, "off-rules-editor")
    assert ("range_count", "1") in fields
    removed = owner.post(off_url(clinic.own_resource_id), data=posted(fields, op="remove-date:0"))

    assert ("date_count", "0") in form_fields(removed, "off-rules-editor")
    assert removed.status_code == 200
    assert stored_off_rules(app, clinic.own_resource_id) is None


def test_bad_time_off_comes_back_marked_on_its_row_and_nothing_is_saved(app, owner, clinic, nocsrf):
    response = owner.post(
        off_url(clinic.own_resource_id),
        data={
            "range_count": "2",
            "range-1-from": "2026-12-26T00:00",
            "range-1-to": "2026-12-24T00:00",
            "date_count": "3",
            "date-0-date": "2026-12-31",
            "date-2-date": "31/12/2026",
            "date-2-note": "x" * 250,
        },
    )

    page = text(response)
    assert response.status_code == 422
    assert "Time off 1: it must end after it starts." in page
    assert 'id="f-range-1-to"' in page and 'aria-describedby="range-1-to-error"' in page
    assert "Day off 2: enter the date." in page
    assert 'aria-describedby="date-2-date-error"' in page
    assert "keep the note to 200 characters" in page
    assert stored_off_rules(app, clinic.own_resource_id) is None


# --- who may edit -------------------------------------------------------------------------


def test_staff_edit_the_hours_of_their_own_resource_only(app, staff, clinic, nocsrf):
    assert staff.get(time_url(clinic.own_resource_id)).status_code == 200
    assert staff.get(off_url(clinic.own_resource_id)).status_code == 200
    saved = staff.post(time_url(clinic.own_resource_id), data=WEEK_WITH_A_BREAK)
    off = staff.post(off_url(clinic.own_resource_id), data={"weekly": "friday"})

    assert saved.status_code == off.status_code == 303
    assert stored_off_rules(app, clinic.own_resource_id) == [{"type": "weekly", "days": ["friday"]}]
    for url in (time_url(clinic.other_resource_id), off_url(clinic.other_resource_id)):
        assert staff.get(url).status_code == 404
        assert staff.post(url, data={"weekly": "friday", "op": "save"}).status_code == 404
    assert stored_time_rules(app, clinic.other_resource_id).rules == STANDARD_WEEK
    assert stored_off_rules(app, clinic.other_resource_id) is None


def test_an_admin_edits_any_resource_of_the_organization(app, admin, clinic, nocsrf):
    response = admin.post(off_url(clinic.other_resource_id), data={"weekly": "saturday"})

    assert response.status_code == 303
    assert stored_off_rules(app, clinic.other_resource_id) == [
        {"type": "weekly", "days": ["saturday"]}
    ]


def test_another_organizations_resource_answers_like_an_unknown_one(
    app, owner, clinic, other_clinic, nocsrf
):
    for url in (time_url, off_url):
        foreign = owner.get(url(other_clinic.own_resource_id))
        unknown = owner.get(url("nope"))
        post = owner.post(url(other_clinic.own_resource_id), data=WEEK_WITH_A_BREAK)
        assert foreign.status_code == unknown.status_code == post.status_code == 404
    assert stored_time_rules(app, other_clinic.own_resource_id).rules == STANDARD_WEEK


def test_a_form_without_its_token_is_refused(app, owner, clinic):
    response = owner.post(time_url(clinic.own_resource_id), data=WEEK_WITH_A_BREAK)

    assert response.status_code == 400
    assert stored_time_rules(app, clinic.own_resource_id).rules == STANDARD_WEEK


# --- reuse --------------------------------------------------------------------------------


def test_the_editors_render_outside_the_admin_with_their_own_action_and_fields(app, clinic):
    with app.test_request_context("/settings/timeRules?webview=true"):
        resource = db.session.get(Resource, clinic.own_resource_id)
        row = db.session.get(TimeRules, resource.id)
        html = render_template(
            "admin/rules/_time_editor.html",
            form_action="/settings/timeRules?webview=true&id=x",
            values=time_rules_values(row),
            errors={},
            resource=resource,
            hidden_fields={"token": "signed-token"},
            include_csrf=False,
        )
        off = render_template(
            "admin/rules/_off_editor.html",
            form_action="/settings/offRules?webview=true",
            values={
                "ranges": [],
                "weekly": ["friday"],
                "dates": [],
                "focus": None,
                "message": None,
            },
            errors={},
            resource=resource,
            hidden_fields={},
        )

    assert 'hx-post="/settings/timeRules?webview=true&amp;id=x"' in html
    assert '<input type="hidden" name="token" value="signed-token">' in html
    assert "csrf_token" not in html
    assert 'name="csrf_token"' in off and 'value="friday" checked' in off


def test_the_form_reader_turns_the_editor_back_into_the_stored_document(app, clinic):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context():
        form = MultiDict(
            [
                ("open", "thursday"),
                ("thursday-start", "14:00"),
                ("thursday-end", "17:00"),
                ("thursday-start", "09:00"),
                ("thursday-end", "13:00"),
                ("depth_of_days", "14"),
                ("notice_mode", "now"),
                ("op", "save"),
            ]
        )
        values, errors, op = read_time_rules_form(form)

        assert (errors, op) == ({}, "save")
        assert time_rules_document(values) == {
            "depth_of_days": 14,
            "notice_hours": 0,
            "rules": [
                {
                    "days": ["thursday"],
                    "times": [{"start": 900, "end": 1300}, {"start": 1400, "end": 1700}],
                }
            ],
        }


# --- the service, as other surfaces call it -------------------------------------------------


def test_the_service_reports_every_problem_of_a_document_by_its_part(app, clinic):
    from webapp.booking.errors import NotFound
    from webapp.manage.rules import RulesInvalid, save_off_rules, save_time_rules

    with app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        with pytest.raises(RulesInvalid) as caught:
            save_time_rules(
                db.session,
                organization,
                clinic.own_resource_id,
                depth_of_days=30,
                notice_hours=-2,
                rules=[
                    {"days": ["Sunday"], "times": [{"start": 900, "end": 1260}]},
                    {"days": ["monday"], "times": [{"start": 900, "end": 1300}]},
                    {"days": ["monday"], "times": [{"start": 1200, "end": 1400}]},
                    {"days": ["funday"], "times": []},
                ],
            )
        with pytest.raises(NotFound):
            save_off_rules(db.session, organization, "someone-elses", [])

        problems = caught.value.problems
        assert set(problems) == {"notice_hours", "sunday", "monday", "rules"}
        assert "1260 is not a time" in problems["sunday"]
        assert problems["monday"] == "Monday: the periods 09:00–13:00 and 12:00–14:00 overlap."
        assert db.session.get(TimeRules, clinic.own_resource_id).rules == STANDARD_WEEK

        row = save_time_rules(
            db.session,
            organization,
            clinic.own_resource_id,
            depth_of_days=7,
            notice_hours=0,
            rules=[
                {
                    "days": ["Monday", "sunday"],
                    "times": [{"start": 1400, "end": 1700}, {"start": 800, "end": 1200}],
                }
            ],
        )
        assert row.rules == [
            {
                "days": ["sunday", "monday"],
                "times": [{"start": 800, "end": 1200}, {"start": 1400, "end": 1700}],
            }
        ]


def test_the_editors_render_in_arabic_right_to_left(owner, clinic):
    for url in (time_url, off_url):
        response = owner.get(url(clinic.own_resource_id) + "?lang=ar")

        assert response.status_code == 200
        assert 'dir="rtl"' in text(response)
