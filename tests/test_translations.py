"""The Arabic catalog: every string of the sources translated, the compiled file in step with
it, and the pages speaking Arabic when asked."""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.factories import make_booking_type, make_organization, make_resource
from webapp.extensions import db
from webapp.models import Website

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = ROOT / "webapp" / "translations" / "ar" / "LC_MESSAGES" / "messages.po"
MO_FILE = PO_FILE.with_suffix(".mo")
# The same keywords and skipped folders as `make translations`.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
IGNORED_DIRS = (".*", "__pycache__")
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[a-z%]")


@pytest.fixture(scope="module")
def catalog():
    with PO_FILE.open("rb") as f:
        return read_po(f)


def _messages(catalog):
    return [message for message in catalog if message.id]


def _pairs(catalog) -> dict:
    """Each message id with its translation, plural forms as tuples."""
    return {
        (m.id if isinstance(m.id, str) else tuple(m.id)): (
            m.string if isinstance(m.string, str) else tuple(m.string)
        )
        for m in _messages(catalog)
    }


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def _keep_dir(path: str) -> bool:
    name = os.path.basename(path)
    return not any(fnmatch.fnmatch(name, pattern) for pattern in IGNORED_DIRS)


def _source_msgids() -> set[str]:
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")
    found = extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=_keep_dir
    )
    return {msgid if isinstance(msgid, str) else msgid[0] for _, _, msgid, _, _ in found}


def test_every_message_is_translated(catalog):
    messages = _messages(catalog)
    assert messages
    untranslated = [
        m.id
        for m in messages
        if not m.string or (isinstance(m.string, tuple) and not all(m.string))
    ]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"marked fuzzy, review them: {fuzzy}"


def test_translations_keep_their_placeholders(catalog):
    wrong = []
    for message in _messages(catalog):
        if isinstance(message.id, str):
            if _placeholders(message.string) != _placeholders(message.id):
                wrong.append((message.id, message.string))
            continue
        # A plural form may spell its number out ("دقيقة واحدة"), never add a placeholder.
        expected = set(_placeholders(message.id[0])) | set(_placeholders(message.id[1]))
        forms = [set(_placeholders(form)) for form in message.string]
        if any(not form <= expected for form in forms) or set().union(*forms) != expected:
            wrong.append((message.id, message.string))
    assert not wrong, f"placeholders differ from the English: {wrong}"


def test_plural_messages_fill_every_arabic_form(catalog):
    assert catalog.num_plurals == 6
    for message in _messages(catalog):
        if isinstance(message.id, tuple):
            assert len(message.string) == catalog.num_plurals, message.id


def test_compiled_catalog_matches_the_po_file(catalog):
    # Messages, not bytes: the compiled header names the Babel version that wrote it.
    with MO_FILE.open("rb") as f:
        compiled = read_mo(f)
    assert _pairs(compiled) == _pairs(catalog), (
        "messages.mo is older than messages.po: run `make translations`"
    )


def test_every_string_in_the_sources_is_in_the_catalog(catalog):
    missing = sorted(msgid for msgid in _source_msgids() if msgid not in catalog)
    assert not missing, f"run `make translations` and translate in the .po file: {missing}"


def test_booking_website_speaks_arabic(app, client, catalog):
    with app.app_context():
        organization = make_organization(db.session, name="Shifa Clinic")
        consultation = make_booking_type(db.session, organization, name="Consultation")
        make_resource(db.session, organization, consultation)
        slug = db.session.scalars(
            db.select(Website.slug).where(Website.organization_id == organization.id)
        ).one()
        db.session.commit()
    page = client.get(f"/{slug}/?lang=ar")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in html
    assert catalog.get("Choose a service").string in html
    assert "Choose a service" not in html
