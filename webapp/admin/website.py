"""The website: its settings (edited as a draft, then published), its address, its colours,
the sites allowed to embed it, and the snippets that embed it."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from flask import g, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.admin.blueprint import after_action, bp, render, requires
from webapp.admin.forms import FormReader
from webapp.admin.website_form import (
    THEME_DEFAULTS,
    posted_values,
    preview_colors,
    read_settings,
    read_theme,
    settings_values,
)
from webapp.booking.errors import ValidationFailed
from webapp.booking.lifecycle import HOLD_MINUTES_RANGE
from webapp.embed.origins import allowed_origins, normalize_origin
from webapp.extensions import db
from webapp.i18n import LANGUAGES, translated
from webapp.manage import embedding
from webapp.manage import websites as manage
from webapp.models import BookingType, Resource
from webapp.models.websites import BOOKING_POLICIES, BOOKING_TIME_POLICIES, SPLITTING_MODES

SETTING_LABELS = {
    "name": _l("Business name"),
    "timezone": _l("Time zone"),
    "on": _l("Website on or off"),
    "default_lang": _l("Default language"),
    "logo": _l("Logo"),
    "logo_fav_icon": _l("Browser tab icon"),
    "display_name": _l("Name shown on the website"),
    "description": _l("Description"),
    "terms": _l("Terms"),
    "booking_success_message": _l("Message after booking"),
    "translations": _l("Arabic texts"),
    "booking_policy": _l("Who the booking is with"),
    "booking_time_policy": _l("Times offered"),
    "suggested_times": _l("Number of suggested times"),
    "booking_time_splitting": _l("When times start"),
    "fixed_times": _l("Fixed times"),
    "booking_time_splitting_optimize": _l("Times right after bookings"),
    "booking_time_show_midnight": _l("Times after midnight"),
    "select_type_first": _l("Service first"),
    "select_resource_category": _l("Category first"),
    "hide_resource": _l("Hide who the booking is with"),
    "require_verification": _l("Verification code"),
    "hold_minutes": _l("Minutes a time is held"),
    "change_notice_hours": _l("Changes allowed until"),
    "theme": _l("Colours"),
    "call_support": _l("Phone"),
    "whatsapp": _l("WhatsApp"),
    "email_support": _l("Email"),
    "twitter": "X",
    "instagram": "Instagram",
    "facebook": "Facebook",
    "tiktok": "TikTok",
    "snapchat": "Snapchat",
    "map": _l("Map"),
    "maroof": _l("Maroof"),
    "saudi_business_center": _l("Saudi Business Center"),
}
LANGUAGE_LABELS = {"en": _l("English"), "ar": _l("Arabic")}
POLICY_LABELS = {
    "specify": _l("Customers choose who they book with"),
    "leastFirst": _l("We assign whoever is least busy"),
    "specifyAndLeastFirst": _l("Customers choose, or leave it to us (least busy)"),
}
TIME_POLICY_LABELS = {
    "displayAll": _l("Show every free time"),
    "suggest": _l("Suggest a few times"),
    "first": _l("Offer only the earliest free time"),
}
SPLITTING_LABELS = {
    "optimize": _l("Back to back, fitted around existing bookings"),
    "oclock": _l("On the hour (9:00, 10:00)"),
    "oclockAndHalf": _l("On the hour and the half hour (9:00, 9:30)"),
    "20": _l("Every 20 minutes"),
    "15": _l("Every 15 minutes"),
    "10": _l("Every 10 minutes"),
    "fixed": _l("At fixed times of day"),
}
MAX_BUTTON_TEXT = 60


def _website():
    return manage.get_website(db.session, g.organization)


def _status(website) -> dict:
    """What every draft page shows: the live version and what the draft changes."""
    changes = manage.unpublished_changes(website)
    return {
        "website": website,
        "live": website.settings,
        "changes": [str(SETTING_LABELS.get(name, name)) for name in changes],
        "site_url": url_for("public.website_home", slug=website.slug, _external=True),
        "tz": ZoneInfo(g.organization.timezone),
    }


@bp.route("/website", methods=["GET", "POST"])
@requires("admin")
def website_settings():
    website = _website()
    draft = manage.draft_of(db.session, website)
    if request.method == "GET":
        db.session.commit()  # a draft made just now for a website that had none
        return _settings_page(website, settings_values(draft), {})
    reader = FormReader(request.form)
    values = read_settings(reader, g.organization.id)
    if values is not None:
        try:
            manage.save_draft(db.session, g.organization, values)
        except ValidationFailed as error:
            db.session.rollback()
            for field, message in error.details.get("fields", {}).items():
                reader.fail(field, message)
        else:
            db.session.commit()
            return after_action(
                url_for("admin.website_settings"),
                _("The draft is saved. Publish it when customers should see it."),
            )
    website = _website()
    values = posted_values(reader, manage.draft_of(db.session, website))
    return _settings_page(website, values, reader.errors, status=422)


def _settings_page(website, values: dict, errors: dict, *, slug_errors=None, slug=None, status=200):
    return render(
        "admin/website/settings.html",
        status,
        values=values,
        errors=errors,
        slug=website.slug if slug is None else slug,
        slug_errors=slug_errors or {},
        languages=[(code, LANGUAGE_LABELS[code]) for code in LANGUAGES],
        policies=[(code, POLICY_LABELS[code]) for code in BOOKING_POLICIES],
        time_policies=[(code, TIME_POLICY_LABELS[code]) for code in BOOKING_TIME_POLICIES],
        splittings=[(code, SPLITTING_LABELS[code]) for code in SPLITTING_MODES],
        hold_range=HOLD_MINUTES_RANGE,
        **_status(website),
    )


@bp.post("/website/publish")
@requires("admin")
def website_publish():
    website = _website()
    had_changes = bool(manage.unpublished_changes(website))
    manage.publish_draft(db.session, g.organization)
    db.session.commit()
    if not had_changes:
        return after_action(_back(), _("There was nothing new to publish."), "info")
    return after_action(_back(), _("Published: customers now see the new settings."))


@bp.post("/website/discard")
@requires("admin")
def website_discard():
    manage.discard_draft(db.session, g.organization)
    db.session.commit()
    return after_action(_back(), _("The draft is back to what customers see."))


def _back() -> str:
    """The page a publish or discard button was on."""
    if request.form.get("back") == "theme":
        return url_for("admin.website_theme")
    return url_for("admin.website_settings")


@bp.post("/website/address")
@requires("admin")
def website_slug():
    slug = (request.form.get("slug") or "").strip()
    try:
        website = manage.change_slug(db.session, g.organization, slug)
    except ValidationFailed as error:
        db.session.rollback()
        website = _website()
        draft = manage.draft_of(db.session, website)
        return _settings_page(
            website,
            settings_values(draft),
            {},
            slug_errors={"slug": error.message},
            slug=slug,
            status=422,
        )
    db.session.commit()
    return after_action(
        url_for("admin.website_settings"),
        _("The website is now at /%(slug)s/.", slug=website.slug),
    )


@bp.route("/website/theme", methods=["GET", "POST"])
@requires("admin")
def website_theme():
    website = _website()
    draft = manage.draft_of(db.session, website)
    if request.method == "GET":
        db.session.commit()
        return _theme_page(website, dict(draft.theme or {}), {})
    reader = FormReader(request.form)
    theme = read_theme(request.form)
    try:
        manage.save_theme(db.session, g.organization, theme)
    except ValidationFailed as error:
        db.session.rollback()
        for field, message in error.details.get("fields", {}).items():
            reader.fail(field, message)
        return _theme_page(_website(), theme, reader.errors, 422)
    db.session.commit()
    return after_action(
        url_for("admin.website_theme"),
        _("The colours are saved in the draft. Publish them when customers should see them."),
    )


@bp.get("/website/theme/preview")
@requires("admin")
def website_theme_preview():
    """The preview for colours being typed (HTMX swaps just the preview)."""
    return _theme_page(_website(), read_theme(request.args), {})


def _theme_page(website, theme: dict, errors: dict, status: int = 200):
    colours = {key: theme.get(key) or "" for key in THEME_DEFAULTS}
    chosen = preview_colors(colours)
    frame_theme = {k: v for k, v in colours.items() if v and v == chosen[k]}
    sample_url = None
    if website.settings.on:
        params = {"theme": json.dumps(frame_theme, separators=(",", ":"))} if frame_theme else {}
        sample_url = url_for("embed.booking_start", app_id=website.app_id, **params)
    return render(
        "admin/website/theme.html",
        status,
        partial="admin/website/_theme_preview.html",
        target="theme-preview",
        colours=colours,
        defaults=THEME_DEFAULTS,
        preview=chosen,
        sample_url=sample_url,
        errors=errors,
        site_name=manage.draft_of(db.session, website).display_name or website.settings.name,
        **_status(website),
    )


@bp.get("/website/domains")
@requires("admin")
def website_domains():
    return _domains_page(_website(), {})


def _domains_page(website, errors: dict, status: int = 200, origin: str = ""):
    entries = list(website.allowed_domains or [])
    return render(
        "admin/website/domains.html",
        status,
        website=website,
        allowed=allowed_origins(entries),
        ignored=[e for e in entries if normalize_origin(e) is None],
        errors=errors,
        origin=origin,
        site_url=url_for("public.website_home", slug=website.slug, _external=True),
    )


@bp.post("/website/domains")
@requires("admin")
def website_domain_add():
    text = (request.form.get("origin") or "").strip()[:300]
    try:
        origin = embedding.add_allowed_domain(db.session, g.organization, text)
    except ValidationFailed as error:
        db.session.rollback()
        return _domains_page(_website(), {"origin": error.message}, 422, origin=text)
    db.session.commit()
    return after_action(
        url_for("admin.website_domains"),
        _("Pages on %(origin)s may now embed the widget.", origin=origin),
    )


@bp.post("/website/domains/remove")
@requires("admin")
def website_domain_remove():
    entry = (request.form.get("origin") or "")[:300]
    if not embedding.remove_allowed_domain(db.session, g.organization, entry):
        return after_action(
            url_for("admin.website_domains"), _("That domain was not on the list."), "error"
        )
    db.session.commit()
    return after_action(
        url_for("admin.website_domains"),
        _("%(origin)s may no longer embed the widget.", origin=entry),
    )


def _embed_choices(reader: FormReader, types, resources) -> dict[str, str]:
    """What the snippets are for; a blank service lets the customer choose (the first
    service is chosen until the form says otherwise)."""
    type_id = request.args.get("type", types[0].id if types else "")
    if type_id not in {"", *(t.id for t in types)}:
        reader.fail("type", _("Choose one of the offered values."))
        type_id = ""
    button_text = reader.text("button_text", max_length=MAX_BUTTON_TEXT)
    return {
        "type": type_id,
        "resource": reader.choice("resource", {"", *(r.id for r in resources)}, default=""),
        "lang": reader.choice("widget_lang", {"", *LANGUAGES}, default=""),
        "button_text": "" if "button_text" in reader.errors else button_text,
    }


def _service_label(booking_type) -> str:
    name = translated(booking_type.name, booking_type.name_translations)
    if booking_type.on and booking_type.book_from_website:
        return name
    return _("%(name)s (not offered on the website)", name=name)


@bp.get("/website/embed")
@requires("admin")
def website_embed():
    website = _website()
    types = db.session.scalars(
        db.select(BookingType)
        .where(BookingType.organization_id == g.organization.id)
        .order_by(BookingType.position, BookingType.name)
    ).all()
    resources = db.session.scalars(
        db.select(Resource)
        .where(Resource.organization_id == g.organization.id)
        .order_by(Resource.position, Resource.name)
    ).all()
    reader = FormReader(request.args)
    chosen = _embed_choices(reader, types, resources)
    options = {
        "sdk_url": url_for("widget.sdk_script", _external=True),
        "app_id": website.app_id,
        "type_id": chosen["type"] or None,
        "lang": chosen["lang"] or None,
        "resource_id": chosen["resource"] or None,
    }
    snippets = {
        "popup": embedding.widget_snippet(
            "scheduling-button", button_text=chosen["button_text"] or None, **options
        ),
        "native": embedding.widget_snippet("scheduling-native", **options),
    }
    try_params = {"type": chosen["type"]} if chosen["type"] else {}
    return render(
        "admin/website/embed.html",
        200 if reader else 422,
        partial="admin/website/_snippets.html",
        target="snippets",
        website=website,
        chosen=chosen,
        errors=reader.errors,
        snippets=snippets,
        type_options=[(t.id, _service_label(t)) for t in types],
        resource_options=[(r.id, translated(r.name, r.name_translations)) for r in resources],
        language_options=[(code, LANGUAGE_LABELS[code]) for code in LANGUAGES],
        allowed=allowed_origins(website.allowed_domains),
        try_url=url_for("widget.website_try", app_id=website.app_id, **try_params)
        if website.settings.on
        else None,
    )
