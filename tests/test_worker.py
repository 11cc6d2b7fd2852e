from datetime import timedelta

from sqlalchemy import select

from tests.factories import at, create_booking, make_booking_type, make_organization, make_resource
from webapp.models import Booking, BookingStatus
from webapp.notify import worker


def test_worker_round_expires_holds_and_frees_the_slot(app, session, now):
    organization = make_organization(session)
    checkup = make_booking_type(session, organization)
    make_resource(session, organization, checkup)
    hold = create_booking(
        session, organization, checkup, start=at("2026-11-22 09:00"), now=now, hold_minutes=10
    )
    session.commit()

    assert worker.run_once(now=now + timedelta(minutes=5))["holds"] == 0
    done = worker.run_once(now=now + timedelta(minutes=11))

    assert done["holds"] == 1
    session.expire_all()
    expired = session.get(Booking, hold.id)
    assert expired.status == BookingStatus.CANCELED
    assert expired.cancel_reason == "hold expired"
    rebooked = create_booking(
        session,
        organization,
        checkup,
        start=at("2026-11-22 09:00"),
        now=now + timedelta(minutes=12),
    )
    assert rebooked.status == BookingStatus.CONFIRMED


def test_worker_command_runs_one_round(app, session, runner, now):
    organization = make_organization(session)
    checkup = make_booking_type(session, organization)
    make_resource(session, organization, checkup)
    create_booking(
        session, organization, checkup, start=at("2026-11-22 09:00"), now=now, hold_minutes=1
    )
    session.commit()
    app.config["MAWID_NOW"] = now + timedelta(minutes=2)  # the worker keeps the app's clock

    result = runner.invoke(args=["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert '"holds": 1' in result.output
    session.expire_all()
    assert session.scalars(select(Booking.status)).all() == ["CANCELED"]


def test_check_overlaps_command_confirms_the_calendar_is_sound(app, session, runner, now):
    organization = make_organization(session)
    checkup = make_booking_type(session, organization)
    make_resource(session, organization, checkup)
    create_booking(session, organization, checkup, start=at("2026-11-22 09:00"), now=now)
    create_booking(session, organization, checkup, start=at("2026-11-22 09:30"), now=now)
    session.commit()

    result = runner.invoke(args=["check-overlaps"])

    assert result.exit_code == 0, result.output
    assert '"overlappingPairs": 0' in result.output


def test_check_overlaps_command_reports_a_double_booking(app, session, runner, now):
    organization = make_organization(session)
    checkup = make_booking_type(session, organization)
    make_resource(session, organization, checkup)
    first = create_booking(session, organization, checkup, start=at("2026-11-22 09:00"), now=now)
    session.commit()
    # Written behind the service's back, as a faulty import might.
    twin = Booking(
        organization_id=organization.id,
        booking_type_id=checkup.id,
        resource_id=first.resource_id,
        status="CONFIRMED",
        start_at=first.start_at,
        end_at=first.end_at,
        block_start=first.block_start,
        block_end=first.block_end,
        duration=first.duration,
    )
    session.add(twin)
    session.commit()

    result = runner.invoke(args=["check-overlaps"])

    assert result.exit_code == 1
    assert '"overlappingPairs": 1' in result.output
