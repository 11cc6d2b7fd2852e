"""The ``mawid`` command (also reachable as ``flask --app webapp ...``)."""

from __future__ import annotations

import gc
import json
import logging
import os
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, routes_command, shell_command, with_appcontext

from webapp.booking.errors import BookingError
from webapp.extensions import db
from webapp.models.types import utcnow


def _emit(payload: dict, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(payload, indent=2, default=str))
    else:
        for key, value in payload.items():
            click.echo(f"{key}: {value}")


def _fail(error: BookingError) -> None:
    db.session.rollback()
    click.echo(f"error: {error.code}: {error.message}", err=True)
    for key, value in error.details.items():
        click.echo(f"  {key}: {value}", err=True)
    sys.exit(2)


def upgrade_schema() -> None:
    from flask_migrate import upgrade

    from webapp import MIGRATIONS_DIR

    upgrade(directory=MIGRATIONS_DIR)


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or upgrade the database schema."""
    upgrade_schema()
    click.echo(f"database ready ({db.engine.url.render_as_string(hide_password=True)})")
    # Built now, once per deploy, so server processes starting together never write them.
    from webapp.embed.assets import build_all

    click.echo(f"assets built ({', '.join(build_all())})")


@click.command("create-account")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", default="")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def create_account_command(email, password, name, as_json):
    """Create a user account and print its account API key (shown only here)."""
    from webapp import accounts

    try:
        user = accounts.create_user(db.session, email=email, password=password, name=name)
        key = accounts.issue_account_key(db.session, user)
        db.session.commit()
    except BookingError as error:
        _fail(error)
    _emit({"userId": user.id, "email": user.email, "apiKey": key}, as_json)


@click.command("create-organization")
@click.option("--owner", required=True, help="The owner's account email.")
@click.option("--name", required=True)
@click.option("--timezone", required=True, help="IANA name, e.g. Asia/Riyadh.")
@click.option("--slug", default=None, help="The booking website's address: /<slug>/.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def create_organization_command(owner, name, timezone, slug, as_json):
    """Create an organization with its booking website."""
    from sqlalchemy import select

    from webapp import accounts
    from webapp.models import User

    try:
        email = accounts.normalize_email(owner)
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            raise BookingError(f"No account with email {email}; run create-account first.")
        organization, website = accounts.create_organization(
            db.session, owner=user, name=name, timezone=timezone, slug=slug
        )
        db.session.commit()
    except BookingError as error:
        _fail(error)
    _emit(
        {"organizationId": organization.id, "appId": website.app_id, "slug": website.slug},
        as_json,
    )


@click.command("allowed-domains")
@click.argument("slug")
@click.option("--add", "added", multiple=True, help="An origin, e.g. https://shop.example.com.")
@click.option("--remove", "removed", multiple=True, help="An origin to take off the list.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def allowed_domains_command(slug, added, removed, as_json):
    """Show or change the origins that may embed a website's booking widget."""
    from sqlalchemy import select

    from webapp.embed.origins import allowed_origins, normalize_origin
    from webapp.models import Website

    website = db.session.scalar(select(Website).where(Website.slug == slug))
    if website is None:
        click.echo(f"error: no website with the slug {slug!r}", err=True)
        sys.exit(2)
    wrong = [o for o in (*added, *removed) if normalize_origin(o) is None]
    if wrong:
        click.echo(f"error: not an origin (scheme://host[:port]): {', '.join(wrong)}", err=True)
        sys.exit(2)
    gone = {normalize_origin(o) for o in removed}
    current = [o for o in allowed_origins(website.allowed_domains) if o not in gone]
    website.allowed_domains = allowed_origins([*current, *added])
    db.session.commit()
    _emit(
        {"slug": website.slug, "appId": website.app_id, "allowedDomains": website.allowed_domains},
        as_json,
    )
    if not website.allowed_domains:
        click.echo(
            "note: no domain may embed this website's widget; browsers will refuse it.", err=True
        )


@click.command("create-booking-partner")
@click.option("--organization", "organization_id", required=True, help="The organization's id.")
@click.option("--name", required=True, help="Who the partner is, e.g. Reserve with Google.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def create_booking_partner_command(organization_id, name, as_json):
    """Create the HTTP Basic credentials a reservation partner calls the booking server
    (/rwg/v3) with; the password is shown only here."""
    from webapp.manage import booking_partners
    from webapp.models import Organization

    try:
        organization = db.session.get(Organization, organization_id)
        if organization is None or organization.is_deleted:
            raise BookingError(f"No organization with id {organization_id}.")
        partner, password = booking_partners.create_partner(
            db.session, organization, name=name, created_by="cli"
        )
        db.session.commit()
    except BookingError as error:
        _fail(error)
    _emit({"username": partner.username, "password": password}, as_json)
    if not as_json:
        click.echo("note: keep the password now; it is not shown again.", err=True)


@click.command("demo")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing when an organization exists.")
@with_appcontext
def demo_command(base_url, if_empty):
    """Load the demo clinic and print its URLs and logins as JSON."""
    from sqlalchemy import select

    from webapp import demo
    from webapp.models import Organization

    if if_empty and db.session.scalar(select(Organization.id).limit(1)):
        click.echo(json.dumps({"demo": "skipped: the database already has an organization"}))
        return
    result = demo.load_demo(db.session, now=utcnow(), base_url=base_url.rstrip("/"))
    db.session.commit()
    click.echo(json.dumps(result, indent=2, default=str))


@click.command("seed-bench")
@click.option("--resources", type=click.IntRange(1, 1000), required=True)
@click.option("--days", type=click.IntRange(1, 366), required=True)
@click.option("--bookings", type=click.IntRange(0, 1_000_000), required=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def seed_bench_command(resources, days, bookings, seed, as_json):
    """Build the deterministic benchmark dataset and print its ids."""
    from webapp import benchdata

    result = benchdata.seed_bench(
        db.session, resources=resources, days=days, bookings=bookings, seed=seed, now=utcnow()
    )
    db.session.commit()
    _emit(result, as_json)


def _freeze_startup_objects() -> None:
    """Move what start-up created (modules, mappings, compiled statements) out of the garbage
    collector's sight: full collections then scan only request garbage, which keeps pauses
    out of the slow tail of answers. A server started another way should do the same after
    loading the app (with gunicorn: in ``post_fork``)."""
    gc.collect()
    gc.freeze()


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Do not start the in-process worker.")
@with_appcontext
def run_command(host, port, no_worker):
    """Serve the app for development, with the background worker in the same process."""
    from werkzeug.serving import run_simple

    from webapp.notify import worker

    app: Flask = current_app._get_current_object()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    _freeze_startup_objects()
    if "MAWID_BASE_URL" not in os.environ:
        # Links in emails point at this server unless its public address is configured.
        app.config["PUBLIC_BASE_URL"] = f"http://{host}:{port}"
    if not no_worker:
        worker.start_in_thread(app)
    click.echo(f"Mawid is serving on http://{host}:{port}/")
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


@click.command("worker")
@click.option("--once", is_flag=True, help="Run one round and exit.")
@with_appcontext
def worker_command(once):
    """Run the background worker alone (several may run at once)."""
    from webapp.notify import worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if once:
        click.echo(json.dumps(worker.run_once()))
        return
    _freeze_startup_objects()
    worker.run_forever(current_app._get_current_object())


@click.command("check-overlaps")
@with_appcontext
def check_overlaps_command():
    """Verify that no two occupying bookings overlap on a resource (exit 1 if any do)."""
    from webapp.booking.integrity import overlapping_pairs

    pairs = overlapping_pairs(db.session)
    click.echo(json.dumps({"overlappingPairs": len(pairs), "pairs": pairs[:100]}))
    if pairs:
        sys.exit(1)


COMMANDS = (
    init_db_command,
    create_account_command,
    create_organization_command,
    allowed_domains_command,
    create_booking_partner_command,
    demo_command,
    seed_bench_command,
    run_command,
    worker_command,
    check_overlaps_command,
)


def register_commands(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def _create_app():
    from webapp import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def main():
    """Mawid: appointment booking."""


main.add_command(shell_command)
main.add_command(routes_command)
