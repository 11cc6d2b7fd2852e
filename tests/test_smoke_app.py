from tests.factories import at, create_booking, make_booking_type, make_organization, make_resource


def test_front_page_lists_websites(app, session, client):
    make_organization(session, name="Riyadh Dental")
    session.commit()
    page = client.get("/")
    assert page.status_code == 200
    assert b"Riyadh Dental" in page.data


def test_health_check_answers_json(client):
    reply = client.get("/healthz")
    assert reply.status_code == 200
    assert reply.get_json()["status"] == "ok"


def test_unknown_api_path_answers_the_error_envelope(client):
    reply = client.get("/api/nothing-here")
    assert reply.status_code == 404
    assert reply.get_json()["error"]["code"] == "NOT_FOUND"


def test_booking_on_postgresql_and_sqlite(any_app, now):
    from webapp.extensions import db

    with any_app.app_context():
        organization = make_organization(db.session)
        consultation = make_booking_type(db.session, organization)
        make_resource(db.session, organization, consultation)
        booking = create_booking(
            db.session, organization, consultation, start=at("2026-11-22 09:00"), now=now
        )
        db.session.commit()
        assert booking.status == "CONFIRMED"
