"""Integrations in Chromium: an owner adds a confidential API client, copies its secret from
the one answer that shows it, sees the client get a token with it, and revokes it; in
English and in Arabic, checked with axe and screenshot."""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser import steps
from tests.browser.test_admin import (
    OWNER_PASSWORD,
    Clinic,
    check_accessible,
    no_sideways_scroll,
    sign_in,
)
from webapp import demo
from webapp.extensions import db
from webapp.models import User, Website

pytestmark = pytest.mark.browser

SCOPES = ("org:read", "availability:read", "appointments:write")
CLIENT_NAMES = {"en": "Front desk tablet", "ar": "جهاز الاستقبال"}


@pytest.fixture(scope="module")
def clinic(live_site) -> Clinic:
    """The demo clinic, its owner's password the one the other admin tests set."""
    with live_site.app.app_context():
        website = db.session.scalars(select(Website).where(Website.slug == demo.SLUG)).one()
        owner = db.session.scalars(select(User).where(User.email == demo.OWNER_EMAIL)).one()
        owner.set_password(OWNER_PASSWORD)
        db.session.commit()
        return Clinic(live_site.base_url, website.organization_id, {}, {})


def shot(page: Page, name: str) -> None:
    """A full-page screenshot into $SCREENSHOT_DIR, when it is set."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"integrations_{name}.png"), full_page=True)


def toast(page: Page, site, lang: str, message: str, **params):
    return page.locator("#toasts .toast", has_text=steps.text(site, lang, message) % params)


def token_status(page: Page, site, client_id: str, secret: str) -> int:
    """What /oauth/token answers the client signing in with HTTP Basic."""
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    answer = page.request.post(
        f"{site.base_url}/oauth/token",
        form={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    return answer.status


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_owner_adds_a_client_sees_the_secret_once_and_revokes_it(
    desktop_page, live_site, clinic, lang
):
    page = desktop_page
    name = CLIENT_NAMES[lang]
    sign_in(page, clinic, demo.OWNER_EMAIL, OWNER_PASSWORD, lang)
    page.goto(clinic.admin("settings/integrations", lang))
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    expect(page.locator("#token-example")).to_contain_text(f"{live_site.base_url}/oauth/token")
    for scope in SCOPES:
        expect(page.locator(f"#api-clients input[name=scopes][value='{scope}']")).to_be_checked()
    expect(page.locator("#f-public")).not_to_be_checked()

    # With no scope ticked the form comes back marked, as it was filled in.
    page.locator("#f-client_name").fill(name)
    for scope in SCOPES:
        page.locator(f"#api-clients input[name=scopes][value='{scope}']").uncheck()
    page.locator("#api-clients form.card .form-foot button.primary").click()
    expect(page.locator("#scopes-error")).to_be_visible()
    expect(page.locator("#f-client_name")).to_have_value(name)
    # The form was replaced: tick the scope in the new one.
    page.locator("#api-clients input[name=scopes][value='availability:read']").check()
    page.locator("#api-clients form.card .form-foot button.primary").click()

    added = toast(page, live_site, lang, "%(name)s is added. Copy its credentials now.", name=name)
    expect(added).to_be_visible()
    secret_box = page.locator("#new-client-secret")
    expect(secret_box).to_be_visible()
    expect(page.locator("#api-clients .new-key")).to_be_focused()
    client_id = page.locator("#new-client-id").inner_text().strip()
    secret = secret_box.inner_text().strip()
    assert re.fullmatch(r"mwc_[0-9a-f]{32}", client_id)
    assert secret.startswith("mws_")
    expect(page.locator("#token-example")).to_contain_text(f"client_secret={secret}")
    no_sideways_scroll(page, "the new client")
    check_accessible(page, "the new client")
    shot(page, f"{lang}_added")
    assert token_status(page, live_site, client_id, secret) == 200

    # Shown once: the page opened again lists the client, never its secret.
    page.goto(clinic.admin("settings/integrations", lang))
    row = page.locator("#clients tbody tr", has=page.locator("code", has_text=client_id))
    expect(row).to_have_count(1)
    expect(row.locator("th")).to_contain_text(name)
    expect(row).to_contain_text("availability:read")
    assert secret not in page.content()
    expect(page.locator("#new-client-secret")).to_have_count(0)

    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button.danger").click()
    revoked = toast(
        page, live_site, lang, "%(name)s is revoked; its tokens no longer work.", name=name
    )
    expect(revoked).to_be_visible()
    row = page.locator("#clients tbody tr", has=page.locator("code", has_text=client_id))
    expect(row.locator(".badge.status-canceled")).to_be_visible()
    expect(row.locator("button.danger")).to_have_count(0)
    assert token_status(page, live_site, client_id, secret) == 401
    check_accessible(page, "the integrations page")
    shot(page, f"{lang}_revoked")
