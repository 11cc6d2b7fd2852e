"""The steps of the booking website: what each one shows, the order the website's policies
give them, how times are offered, and how extra questions change the duration and price."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.factories import at, make_field
from tests.web.conftest import link_to, path_of, starts, step_title, text
from webapp.models import CustomField, OffRules, Organization, Resource

BRANCH = "Choose a branch"
SERVICE = "Choose a service"
RESOURCE = "Choose who you would like to see"
TIME = "Choose a time"
# What a customer clicks on each step.
PICK = {BRANCH: "North branch", SERVICE: "Consultation", RESOURCE: "Dr Huda"}
SUNDAY = "2026-11-22"


def walk(site) -> tuple[list[str], object]:
    """Click through the steps from the start; the steps seen and the last page."""
    page = site.client.get(site.url("/book"))
    seen = []
    for _ in range(6):
        assert page.status_code == 200
        title = step_title(page)
        seen.append(title)
        if title == TIME:
            break
        page = site.client.get(link_to(page, PICK[title]))
    return seen, page


def times_of(offered: list[str]) -> list[str]:
    return [start[11:16] for start in offered]


# -- what each step shows ---------------------------------------------------------------------


def test_home_introduces_the_business_and_its_services(site):
    page = site.client.get(site.url("/"))
    html = text(page)

    assert page.status_code == 200
    assert '<h1 id="business-name" tabindex="-1">Shifa Clinic</h1>' in html
    assert "Family doctors in the heart of Riyadh." in html
    assert 'href="tel:+966 11 555 0100"' in html
    assert 'href="mailto:care@shifa.example"' in html
    consultation, vaccination = html.split("Vaccination</a>")
    assert "Consultation</a>" in consultation
    assert "30 minutes" in consultation
    assert '<span class="price">SAR150.00</span>' in consultation
    assert re.search(r'<s class="old-price">.*SAR200\.00</s>', consultation)
    assert "Deposit SAR50.00" in consultation
    assert "15 minutes" in vaccination
    assert "Free" in vaccination


def test_home_without_a_description_or_contacts_leaves_them_out(site):
    site.configure(description="", call_support=None, email_support=None)

    html = text(site.client.get(site.url("/")))

    assert 'class="lead"' not in html
    assert "tel:" not in html
    assert "mailto:" not in html


def test_branch_step_lists_the_branches(site):
    site.configure(select_resource_category=True)

    page = site.client.get(site.url("/book"))
    html = text(page)

    assert step_title(page) == BRANCH
    assert "North branch</a>" in html
    assert "South branch</a>" in html


def test_a_branch_shows_only_its_doctors(site):
    site.configure(select_resource_category=True)
    page = site.client.get(
        site.url("/book", category=site.categories["south"], type=site.types["consultation"])
    )
    html = text(page)

    assert step_title(page) == RESOURCE
    assert "Dr Layla</a>" in html
    assert "Dr Huda" not in html
    assert "Dr Omar" not in html


def test_service_step_after_a_doctor_lists_only_their_services(site):
    site.configure(select_type_first=False)

    page = site.client.get(site.url("/book", resource=site.resources["omar"]))
    html = text(page)

    assert step_title(page) == SERVICE
    assert "Consultation</a>" in html
    assert "Vaccination" not in html


def test_resource_step_asks_the_filter_question(site):
    page = site.client.get(site.url("/book", type=site.types["consultation"]))
    html = text(page)

    assert step_title(page) == RESOURCE
    assert '<label for="f_specialty">Specialty</label>' in html
    assert '<option value="dermatology">Dermatology</option>' in html
    assert all(f"{name}</a>" in html for name in ("Dr Huda", "Dr Omar", "Dr Layla"))


def test_filter_answer_narrows_the_doctors(site):
    page = site.client.get(
        site.url("/book", type=site.types["consultation"], f_specialty="dermatology")
    )
    html = text(page)

    assert "Dr Omar</a>" in html
    assert "Dr Huda" not in html
    assert "Dr Layla" not in html
    assert '<option value="dermatology" selected>' in html


def test_filter_answer_matching_nobody_says_so(site):
    site.update(CustomField, site.fields["specialty"], options=[{"value": "surgery"}])

    page = site.client.get(
        site.url("/book", type=site.types["consultation"], f_specialty="surgery")
    )

    assert "No one matches these choices" in text(page)


@pytest.mark.parametrize(
    ("policy", "offered"),
    [("specify", False), ("specifyAndLeastFirst", True)],
)
def test_any_available_is_offered_only_when_the_policy_allows(site, policy, offered):
    site.configure(booking_policy=policy)

    page = site.client.get(site.url("/book", type=site.types["consultation"]))

    assert step_title(page) == RESOURCE
    assert ("Any available</a>" in text(page)) is offered


def test_time_step_shows_the_month_and_the_first_free_day(site):
    page = site.time_step()
    html = text(page)

    assert step_title(page) == TIME
    assert '<h3 id="cal-title">November 2026</h3>' in html
    # Saturday the 21st is today, Friday and Saturday are days off: the 22nd is the first.
    assert 'aria-label="Saturday, November 21, 2026, no free times"' in html
    assert 'aria-current="date">22</a>' in html
    assert 'aria-label="Previous month"' not in html, "no going back before this month"
    assert "Sunday, November 22, 2026" in html
    assert times_of(starts(page)) == [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "12:30",
        "14:00", "14:30", "15:00", "15:30", "16:00", "16:30",
    ]  # fmt: skip


def test_time_step_of_another_day_and_month(site):
    page = site.time_step(date="2026-12-01")
    html = text(page)

    assert '<h3 id="cal-title">December 2026</h3>' in html
    assert starts(page)[0] == "2026-12-01T09:00:00+03:00"
    assert 'aria-label="Previous month"' in html


def test_times_follow_the_customers_timezone(site):
    page = site.time_step(tz="Europe/London")

    assert starts(page)[0] == "2026-11-22T06:00:00+00:00"
    assert "Shifa Clinic is in Riyadh (UTC+03:00) time." in text(page)
    assert '<option value="Europe/London" selected>' in text(page)


def test_chosen_timezone_is_remembered(site):
    site.time_step(tz="America/New_York")

    page = site.time_step()

    assert starts(page)[0] == "2026-11-22T01:00:00-05:00"


def test_time_chosen_in_another_timezone_is_booked_at_the_same_instant(site):
    start = starts(site.time_step(tz="America/New_York"))[0]

    held = site.hold(start, tz="America/New_York")

    assert site.booking_from(held.headers["Location"]).start_at == at("2026-11-22 09:00")


def test_month_without_free_times_points_to_the_next_available_day(site):
    with site.db() as session:
        session.add(
            OffRules(
                organization_id=site.organization_id,
                resource_id=site.resources["huda"],
                rules=[{"type": "range", "from": "2026-11-01T00:00", "to": "2026-12-03T00:00"}],
            )
        )
        session.commit()

    page = site.time_step()
    html = text(page)

    assert "No free times in November 2026." in html
    assert "Next available: Thursday, December 3, 2026" in html
    assert starts(page) == []
    assert starts(site.client.get(link_to(page, "Next available: Thursday, December 3, 2026")))


def test_booked_time_is_not_offered(site):
    site.book_directly("huda", f"{SUNDAY} 09:30")

    offered = times_of(starts(site.time_step()))

    assert "09:30" not in offered
    assert "09:00" in offered
    assert "10:00" in offered


# -- the order of the steps -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "steps"),
    [
        pytest.param({}, [SERVICE, RESOURCE, TIME], id="service-first"),
        pytest.param({"select_type_first": False}, [RESOURCE, SERVICE, TIME], id="doctor-first"),
        pytest.param(
            {"select_resource_category": True},
            [BRANCH, SERVICE, RESOURCE, TIME],
            id="branch-service-doctor",
        ),
        pytest.param(
            {"select_resource_category": True, "select_type_first": False},
            [BRANCH, RESOURCE, SERVICE, TIME],
            id="branch-doctor-service",
        ),
        pytest.param({"hide_resource": True}, [SERVICE, TIME], id="hidden-doctors"),
        pytest.param(
            {"hide_resource": True, "select_type_first": False},
            [SERVICE, TIME],
            id="hidden-doctors-doctor-first",
        ),
        pytest.param({"booking_policy": "leastFirst"}, [SERVICE, TIME], id="least-busy"),
        pytest.param(
            {"booking_policy": "specifyAndLeastFirst"},
            [SERVICE, RESOURCE, TIME],
            id="doctor-or-anyone",
        ),
        pytest.param(
            {"booking_policy": "leastFirst", "select_resource_category": True},
            [BRANCH, SERVICE, TIME],
            id="branch-then-least-busy",
        ),
    ],
)
def test_steps_follow_the_website_policies(site, settings, steps):
    site.configure(**settings)

    seen, page = walk(site)

    assert seen == steps
    assert starts(page), "the time step offers times"


def test_one_branch_only_skips_the_branch_step(site):
    site.configure(select_resource_category=True)
    site.update(Resource, site.resources["layla"], category_id=site.categories["north"])

    seen, _ = walk(site)

    assert seen == [SERVICE, RESOURCE, TIME]


# -- who is booked when the customer lets the website choose ----------------------------------


@pytest.mark.parametrize(
    ("settings", "doctor"),
    [
        pytest.param({"booking_policy": "leastFirst"}, None, id="least-busy"),
        pytest.param({"booking_policy": "specifyAndLeastFirst"}, "any", id="any-available"),
        pytest.param({"hide_resource": True}, None, id="hidden-doctors"),
    ],
)
def test_letting_the_website_choose_books_the_least_busy_doctor(site, settings, doctor):
    site.configure(**settings)
    site.book_directly("huda", f"{SUNDAY} 09:00")
    site.book_directly("omar", f"{SUNDAY} 14:00")

    held = site.hold(f"{SUNDAY}T11:00:00+03:00", doctor=doctor)

    assert held.status_code == 303
    assert site.booking_from(held.headers["Location"]).resource_id == site.resources["layla"]


def test_least_busy_times_include_every_doctors_free_time(site):
    site.configure(booking_policy="leastFirst")
    for doctor in ("huda", "omar"):
        site.book_directly(doctor, f"{SUNDAY} 09:00")

    page = site.client.get(site.url("/book", type=site.types["consultation"]))

    assert "09:00" in times_of(starts(page)), "Dr Layla is still free at nine"


def test_least_busy_without_anyone_free_at_a_time_hides_it(site):
    site.configure(booking_policy="leastFirst")
    for doctor in ("huda", "omar", "layla"):
        site.book_directly(doctor, f"{SUNDAY} 09:00")

    page = site.client.get(site.url("/book", type=site.types["consultation"]))

    assert "09:00" not in times_of(starts(page))


# -- how times are offered --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "suggested", "expected"),
    [
        ("displayAll", 3, 14),
        ("suggest", 3, 3),
        ("suggest", 5, 5),
        ("first", 3, 1),
    ],
)
def test_time_policy_sets_how_many_times_are_offered(site, policy, suggested, expected):
    site.configure(booking_time_policy=policy, suggested_times=suggested)

    offered = times_of(starts(site.time_step()))

    assert len(offered) == expected
    assert offered[0] == "09:00"


def test_suggested_times_spread_over_the_day(site):
    site.configure(booking_time_policy="suggest", suggested_times=3)

    assert times_of(starts(site.time_step())) == ["09:00", "12:00", "16:30"]


@pytest.mark.parametrize(
    ("splitting", "minutes"),
    [
        ("oclock", {"00"}),
        ("oclockAndHalf", {"00", "30"}),
        ("15", {"00", "15", "30", "45"}),
        ("20", {"00", "20", "40"}),
    ],
)
def test_splitting_sets_the_start_minutes(site, splitting, minutes):
    site.configure(booking_time_splitting=splitting)

    offered = times_of(starts(site.time_step()))

    assert {t[3:] for t in offered} == minutes
    assert offered[0] == "09:00"


def test_quarter_hours_offer_more_times_than_whole_hours(site):
    site.configure(booking_time_splitting="oclock")
    hourly = times_of(starts(site.time_step()))
    site.configure(booking_time_splitting="15")
    quarterly = times_of(starts(site.time_step()))

    assert hourly == ["09:00", "10:00", "11:00", "12:00", "14:00", "15:00", "16:00"]
    assert len(quarterly) == 26
    assert "12:30" in quarterly


# -- extra questions that change the duration and price ---------------------------------------


def test_time_adjuster_changes_the_shown_duration_and_price(site):
    plain = text(site.time_step())
    extended = site.time_step(a_extras="xray")
    html = text(extended)

    assert '<span class="price">SAR150.00</span>' in plain
    assert "30 minutes" in plain
    assert "60 minutes" in html
    assert '<span class="price">SAR250.00</span>' in html
    assert '<option value="xray" selected>' in html
    # An hour no longer fits between 12:30 and the break at 13:00.
    assert "12:30" not in times_of(starts(extended))
    assert "12:00" in times_of(starts(extended))


def test_time_adjuster_changes_the_booked_duration_and_price(site):
    held = site.hold_first(a_extras="xray")
    booking = site.booking_from(held.headers["Location"])

    assert booking.duration == 60
    assert booking.end_at - booking.start_at == timedelta(hours=1)
    assert str(booking.price) == "250.00"
    assert booking.time_adjusters == {"extras": "xray"}


def test_time_adjuster_of_another_service_is_not_asked(site):
    page = site.time_step("vaccination")

    assert 'name="a_extras"' not in text(page)
    assert starts(page)


def test_missing_required_adjuster_asks_before_showing_times(site):
    site.update(CustomField, site.fields["extras"], optional=False)

    page = site.time_step()
    html = text(page)

    assert page.status_code == 200
    assert '<label for="a_extras">Extras <span class="required"' in html
    assert "Answer the questions above to see the free times." in html
    assert starts(page) == []


def test_answered_required_adjuster_shows_times(site):
    site.update(CustomField, site.fields["extras"], optional=False)

    page = site.time_step(a_extras="standard")

    assert "Answer the questions above" not in text(page)
    assert starts(page)


@pytest.mark.parametrize("required", [False, True], ids=["optional", "required"])
def test_invalid_adjuster_answer_is_refused_on_the_time_step(site, required):
    site.update(CustomField, site.fields["extras"], optional=not required)

    page = site.time_step(a_extras="gold-plated")
    html = text(page)

    assert page.status_code == 422
    assert step_title(page) == TIME
    assert '<p class="field-error" id="a_extras-error">Enter a valid value.</p>' in html
    if required:
        assert starts(page) == []
    else:
        assert '<span class="price">SAR150.00</span>' in html


def test_filter_question_moves_to_the_time_step_when_no_doctor_is_chosen(site):
    site.configure(booking_policy="leastFirst")

    page = site.client.get(
        site.url("/book", type=site.types["consultation"], f_specialty="dermatology")
    )
    site.book_directly("omar", f"{SUNDAY} 09:00")
    busy = site.client.get(
        site.url("/book", type=site.types["consultation"], f_specialty="dermatology")
    )

    assert '<label for="f_specialty">Specialty</label>' in text(page)
    assert "09:00" in times_of(starts(page))
    assert "09:00" not in times_of(starts(busy)), "only Dr Omar is a dermatologist"


def test_service_link_on_the_time_step_goes_back_to_the_services(site):
    page = site.time_step()

    back = site.client.get(path_of(link_to(page, "Change")))

    assert step_title(back) == SERVICE


@pytest.fixture
def companions(site):
    """A number question: each companion adds 15 minutes and 40 riyals."""
    with site.db() as session:
        organization = session.get(Organization, site.organization_id)
        make_field(
            session,
            organization,
            "companions",
            name="Companions",
            type="number",
            optional=True,
            visibility="public",
            minutes=15,
            price=40,
        )
        session.commit()


def test_number_adjuster_adds_per_unit(site, companions):
    page = site.time_step(a_companions="2")
    html = text(page)

    assert '<label for="a_companions">Companions</label>' in html
    assert "60 minutes" in html
    assert '<span class="price">SAR230.00</span>' in html
    held = site.hold(starts(page)[0], a_companions="2")
    booking = site.booking_from(held.headers["Location"])
    assert (booking.duration, str(booking.price)) == (60, "230.00")


@pytest.mark.parametrize("answer", ["-1", "1.5", "two", "1001"])
def test_number_adjuster_refuses_what_is_not_a_count(site, companions, answer):
    page = site.time_step(a_companions=answer)

    assert page.status_code == 422
    assert '<p class="field-error" id="a_companions-error">Enter a valid value.</p>' in text(page)
    assert "30 minutes" in text(page), "times are shown for the service alone"
