"""Custom fields on the public website: which inputs customers see, what their answers become,
how uploads are checked and kept, and how the inputs are rendered in English and Arabic."""

from __future__ import annotations

import io
import os
import struct
import zlib
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from flask import render_template_string
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import FileStorage, MultiDict

from webapp.models import CustomField
from webapp.public.answers import answers_to_form, parse_answers, submitted_values
from webapp.public.fields import booking_specs, customer_specs
from webapp.uploads import UploadRejected, open_upload, save_upload

ORG = "h66w3DSEcsKlu8ReaclX"
TYPE = "type-consultation"
MIB = 1024 * 1024


def make(key: str, type_: str = "text", *, scope: str = "booking", **overrides) -> CustomField:
    """A public, enabled, required field held in memory only."""
    values = {
        "scope": scope,
        "name": key.title(),
        "type": type_,
        "visibility": "public",
        "enabled": True,
        "optional": False,
        "position": 0,
    }
    values.update(overrides)
    return CustomField(organization_id=ORG, key=key, **values)


def spec_of(field: CustomField):
    (spec,) = booking_specs([field], TYPE, exclude_filters_and_adjusters=False)
    return spec


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def upload(data: bytes, filename: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=filename, content_type="image/png")


def kept_files(folder: str) -> list[str]:
    directory = os.path.join(folder, ORG)
    return os.listdir(directory) if os.path.isdir(directory) else []


def _where(folder: str) -> dict:
    return {"organization_id": ORG, "upload_folder": folder, "max_bytes": MIB}


@pytest.fixture
def ctx(app):
    with app.test_request_context("/"):
        yield


@pytest.fixture
def folder(tmp_path):
    return str(tmp_path / "uploads")


@pytest.fixture
def parse(ctx, folder):
    """Parse one field's submission: ``parse(field, form={...}, files=[...])``."""

    def run(field, form=None, files=(), max_bytes=MIB):
        spec = spec_of(field)
        answers, errors = parse_answers(
            [spec],
            MultiDict(form or {}),
            MultiDict([(spec.input_name, f) for f in files]),
            organization_id=ORG,
            upload_folder=folder,
            max_bytes=max_bytes,
        )
        return answers.get(field.key), errors.get(field.key)

    return run


# -- Which inputs customers see ----------------------------------------------------------------


def test_core_customer_fields_appear_with_defaults(ctx):
    specs = {s.key: s for s in customer_specs([])}

    assert list(specs) == ["firstName", "lastName", "email", "phoneNumber"]
    assert [specs[k].required for k in specs] == [True, True, True, False]
    assert specs["email"].text_type == "email"
    assert specs["phoneNumber"].text_type == "phone"
    assert specs["firstName"].input_name == "c_firstName"
    assert specs["firstName"].autocomplete == "given-name"
    assert specs["lastName"].autocomplete == "family-name"


def test_disabled_core_field_disappears(ctx):
    keys = [s.key for s in customer_specs([make("lastName", scope="customer", enabled=False)])]

    assert keys == ["firstName", "email", "phoneNumber"]


def test_core_field_row_overrides_label_and_optional(ctx):
    row = make("email", scope="customer", name="Work email", optional=True, position=3)

    (email,) = [s for s in customer_specs([row]) if s.key == "email"]

    assert email.label == "Work email"
    assert email.required is False
    # The row left the text type out; an email field stays an email field.
    assert email.text_type == "email"


def test_organization_customer_fields_follow_position(ctx):
    rows = [
        make("dateOfBirth", scope="customer", position=2),
        make("nationalId", scope="customer", position=1),
    ]

    keys = [s.key for s in customer_specs(rows)]

    assert keys[-2:] == ["nationalId", "dateOfBirth"]


def test_provider_only_and_disabled_fields_are_never_shown(ctx):
    rows = [
        make("chartNumber", visibility="providerOnly"),
        make("internal", scope="customer", visibility="providerOnly"),
        make("retired", enabled=False),
        make("reasonForVisit", "paragraph"),
    ]

    assert [s.key for s in booking_specs(rows, TYPE)] == ["reasonForVisit"]
    assert "internal" not in [s.key for s in customer_specs(rows)]


def test_booking_fields_apply_only_to_their_types(ctx):
    rows = [make("everyType"), make("cleaningOnly", types=["cleaning"])]

    assert [s.key for s in booking_specs(rows, TYPE)] == ["everyType"]
    assert [s.key for s in booking_specs(rows, "cleaning")] == ["everyType", "cleaningOnly"]


def test_filters_and_time_adjusters_are_asked_earlier(ctx):
    rows = [
        make("specialty", "options", info={"filterResources": True}, options=[{"value": "x"}]),
        make("extraTeeth", "number", minutes=10),
        make("level", "options", options=[{"value": "deep", "minutes": 15}]),
        make("reason", "paragraph"),
    ]

    assert [s.key for s in booking_specs(rows, TYPE)] == ["reason"]
    every = booking_specs(rows, TYPE, exclude_filters_and_adjusters=False)
    assert [s.key for s in every] == ["specialty", "extraTeeth", "level", "reason"]
    assert every[0].input_name == "b_specialty"


def test_arabic_readers_get_arabic_labels_options_and_content(app):
    rows = [
        make(
            "level",
            "options",
            name_translations={"ar": "المستوى"},
            options=[{"value": "deep", "label": "Deep", "label_translations": {"ar": "عميق"}}],
        ),
        make(
            "aftercare",
            "paragraph-readonly",
            info={"content": "Eat first.", "contentTranslations": {"ar": "تناول الطعام أولاً."}},
        ),
    ]
    with app.test_request_context("/?lang=ar"):
        level, aftercare = booking_specs(rows, TYPE)

    assert level.label == "المستوى"
    assert level.options[0].label == "عميق"
    assert aftercare.content == "تناول الطعام أولاً."


# -- Text, email and phone ----------------------------------------------------------------------


def test_text_is_trimmed(parse):
    assert parse(make("nickname"), {"b_nickname": "  Abu Khalid \x00 "}) == ("Abu Khalid", None)


@pytest.mark.parametrize("posted", [{}, {"b_nickname": "   "}])
def test_required_text_must_be_filled(parse, posted):
    answer, error = parse(make("nickname"), posted)

    assert answer is None
    assert error == "Nickname is required."


def test_optional_empty_field_is_left_out_of_answers(ctx, folder):
    specs = booking_specs([make("nickname", optional=True)], TYPE)

    answers, errors = parse_answers(
        specs, MultiDict({"b_nickname": ""}), MultiDict(), **_where(folder)
    )

    assert (answers, errors) == ({}, {})


@pytest.mark.parametrize(("type_", "limit"), [("text", 500), ("paragraph", 5000)])
def test_text_length_is_limited(parse, type_, limit):
    field = make("note", type_)

    assert parse(field, {"b_note": "a" * limit})[1] is None
    assert "at most" in parse(field, {"b_note": "a" * (limit + 1)})[1]


def test_paragraph_keeps_its_lines(parse):
    answer, _ = parse(make("note", "paragraph"), {"b_note": "Line one\r\nLine two\n"})

    assert answer == "Line one\nLine two"


def test_email_is_lower_cased(parse):
    field = make("email", text_type="email")

    assert parse(field, {"b_email": " Layla@Example.COM "}) == ("layla@example.com", None)


@pytest.mark.parametrize(
    "email", ["layla", "layla@example", "a@@example.com", "a b@example.com", "a..b@example.com"]
)
def test_malformed_email_is_refused(parse, email):
    answer, error = parse(make("email", text_type="email"), {"b_email": email})

    assert answer is None
    assert "email address" in error


@pytest.mark.parametrize("number", ["0501234567", "050 123 4567", "٠٥٠١٢٣٤٥٦٧", "+966501234567"])
def test_saudi_mobile_is_normalized(parse, number):
    field = make("phone", text_type="phone", default_country="SA")

    assert parse(field, {"b_phone": number}) == ("+966501234567", None)


def test_invalid_phone_is_refused(parse):
    answer, error = parse(make("phone", text_type="phone", default_country="SA"), {"b_phone": "12"})

    assert answer is None
    assert error == "Enter a valid phone number."


def test_phone_without_region_needs_country_code(parse):
    answer, error = parse(make("phone", text_type="phone"), {"b_phone": "0501234567"})

    assert answer is None
    assert "country code" in error


def test_phone_from_a_country_not_allowed_is_refused(parse):
    field = make(
        "phone",
        text_type="phone",
        default_country="SA",
        allowed_countries="allowed",
        allowed_countries_list=["SA", "AE"],
    )

    assert parse(field, {"b_phone": "0501234567"}) == ("+966501234567", None)
    answer, error = parse(field, {"b_phone": "+201001234567"})
    assert answer is None
    assert error.startswith("Phone numbers from Egypt are not accepted.")
    assert "Saudi Arabia" in error


def test_phone_from_a_forbidden_country_is_refused(parse):
    field = make(
        "phone",
        text_type="phone",
        default_country="SA",
        allowed_countries="forbidden",
        forbidden_countries_list=["EG"],
    )

    assert parse(field, {"b_phone": "+201001234567"})[1] == (
        "Phone numbers from Egypt are not accepted."
    )


def test_country_lists_are_ignored_when_every_country_is_allowed(parse):
    field = make("phone", text_type="phone", allowed_countries="all", allowed_countries_list=["SA"])

    assert parse(field, {"b_phone": "+201001234567"}) == ("+201001234567", None)


# -- Numbers, options and locations --------------------------------------------------------------


@pytest.mark.parametrize(
    ("posted", "answer"), [("3", 3), ("2.5", 2.5), ("-1", -1), ("٣", 3), ("٢٫٥", 2.5)]
)
def test_numbers_are_read(parse, posted, answer):
    assert parse(make("count", "number"), {"b_count": posted}) == (answer, None)


@pytest.mark.parametrize("posted", ["three", "NaN", "Infinity", "1e5", "1,5", "9" * 40])
def test_not_a_number_is_refused(parse, posted):
    assert parse(make("count", "number"), {"b_count": posted}) == (None, "Enter a number.")


@pytest.mark.parametrize(
    ("posted", "error"),
    [("1", "Enter 2 or more."), ("2", None), ("10", None), ("10.5", "Enter 10 or less.")],
)
def test_number_limits(parse, posted, error):
    field = make("count", "number", info={"min": 2, "max": 10})

    assert parse(field, {"b_count": posted})[1] == error


LEVELS = [{"value": "light", "label": "Light"}, {"value": "deep", "label": "Deep"}]


def test_single_option_is_one_of_the_choices(parse):
    field = make("level", "options", options=LEVELS)

    assert parse(field, {"b_level": "deep"}) == ("deep", None)
    assert parse(field, {"b_level": "surgery"}) == (None, "Choose one of the options shown.")
    assert parse(field, {}) == (None, "Choose an option.")


def test_single_option_refuses_two_choices(parse):
    field = make("level", "options", options=LEVELS)

    answer, error = parse(field, MultiDict([("b_level", "deep"), ("b_level", "light")]))

    assert (answer, error) == (None, "Choose one of the options shown.")


def test_multiple_options_give_a_list(parse):
    field = make("level", "options", options=LEVELS, info={"multiple": True})
    both = MultiDict([("b_level", "light"), ("b_level", "deep"), ("b_level", "deep")])

    assert parse(field, both) == (["light", "deep"], None)
    invalid = MultiDict([("b_level", "light"), ("b_level", "surgery")])
    assert parse(field, invalid) == (None, "Choose one of the options shown.")


@pytest.mark.parametrize(
    ("posted", "answer"),
    [
        ("King Fahd Road, Riyadh", "King Fahd Road, Riyadh"),
        ("24.7136, 46.6753", "24.7136,46.6753"),
    ],
)
def test_location_is_an_address_or_coordinates(parse, posted, answer):
    assert parse(make("where", "location"), {"b_where": posted}) == (answer, None)


def test_location_length_is_limited(parse):
    assert "at most" in parse(make("where", "location"), {"b_where": "x" * 501})[1]


def test_readonly_paragraph_never_gives_an_answer(parse):
    field = make("aftercare", "paragraph-readonly", info={"content": "Eat first."})

    assert parse(field, {"b_aftercare": "sneaky"}) == (None, None)


@settings(deadline=None)
@given(st.text(max_size=80), st.sampled_from(["text", "paragraph", "number", "location"]))
def test_any_text_gives_an_answer_or_an_error(posted, type_):
    fields = [
        make("value", type_),
        make("email", text_type="email"),
        make("phone", text_type="phone", default_country="SA"),
        make("level", "options", options=LEVELS, info={"multiple": True}),
    ]
    specs = booking_specs(fields, TYPE)
    form = MultiDict({s.input_name: posted for s in specs})

    answers, errors = parse_answers(
        specs, form, MultiDict(), organization_id=ORG, upload_folder="/nonexistent", max_bytes=1
    )

    assert set(answers) | set(errors) <= {s.key for s in specs}


# -- Photos and files ---------------------------------------------------------------------------


def test_photo_is_kept_on_disk(parse, folder):
    answer, error = parse(make("photo", "photo"), files=[upload(png(), "tooth.png")])

    assert error is None
    assert answer["name"] == "tooth.png"
    assert answer["contentType"] == "image/png"
    assert answer["size"] == len(png())
    assert len(answer["key"]) >= 22
    path = open_upload(ORG, answer["key"], folder=folder)
    assert path == os.path.join(folder, ORG, answer["key"])
    with open(path, "rb") as stored:
        assert stored.read() == png()


def test_text_posing_as_a_photo_is_refused(parse, folder):
    answer, error = parse(make("photo", "photo"), files=[upload(b"hello there", "tooth.png")])

    assert answer is None
    assert "not a photo" in error
    assert kept_files(folder) == []


def test_oversize_upload_names_the_limit(parse):
    answer, error = parse(make("photo", "photo"), files=[upload(png() + bytes(MIB), "big.png")])

    assert answer is None
    assert error == "This file is too large. The limit is 1 MB."


def test_empty_upload_is_refused(parse):
    assert parse(make("scan", "file"), files=[upload(b"", "scan.pdf")]) == (
        None,
        "This file is empty.",
    )


def test_required_photo_must_be_added(parse):
    # A file input left empty still posts a part with no file name.
    assert parse(make("photo", "photo"), files=[upload(b"", "")]) == (None, "Add a photo.")


@pytest.mark.parametrize(
    ("type_", "extension", "data"), [("photos", "png", png()), ("files", "pdf", b"%PDF-1.4")]
)
def test_uploads_are_limited_to_five(parse, folder, type_, extension, data):
    field = make("many", type_)

    answer, error = parse(field, files=[upload(data, f"{n}.{extension}") for n in range(5)])
    assert error is None
    assert [a["name"] for a in answer] == [f"{n}.{extension}" for n in range(5)]
    assert len(kept_files(folder)) == 5

    answer, error = parse(field, files=[upload(data, f"{n}.{extension}") for n in range(6)])
    assert answer is None
    assert error == "Add at most 5 files."


def test_required_files_need_at_least_one(parse):
    assert parse(make("documents", "files"), files=[]) == (None, "Add a file.")


def test_single_file_field_takes_one_file(parse):
    files = [upload(b"%PDF-1.4", "a.pdf"), upload(b"%PDF-1.4", "b.pdf")]

    assert parse(make("scan", "file"), files=files) == (None, "Add only one file.")


def test_refused_file_among_several_is_named(parse):
    files = [upload(png(), "ok.png"), upload(b"MZ...", "virus.png")]

    answer, error = parse(make("photos", "photos"), files=files)

    assert answer is None
    assert error.startswith("virus.png: ")


@pytest.mark.parametrize("filename", ["setup.exe", "page.html", "script.js", "noextension"])
def test_dangerous_file_types_are_refused(parse, filename):
    answer, error = parse(make("scan", "file"), files=[upload(b"%PDF-1.7 trick", filename)])

    assert answer is None
    assert "not accepted" in error


@pytest.mark.parametrize(
    ("filename", "data", "content_type"),
    [
        ("referral.pdf", b"%PDF-1.7\n...", "application/pdf"),
        ("notes.txt", b"Allergic to penicillin", "text/plain"),
        ("xray.JPG", b"\xff\xd8\xff\xe0 jpeg", "image/jpeg"),
    ],
)
def test_allowed_files_are_kept(parse, filename, data, content_type):
    answer, error = parse(make("scan", "file"), files=[upload(data, filename)])

    assert error is None
    assert answer["contentType"] == content_type


@pytest.mark.parametrize("filename", ["referral.pdf", "xray.png", "report.docx"])
def test_file_contents_must_match_their_extension(parse, filename):
    answer, error = parse(make("scan", "file"), files=[upload(b"<html>hi</html>", filename)])

    assert answer is None
    assert error


def test_uploads_are_dropped_when_the_form_is_refused(ctx, folder):
    specs = booking_specs([make("photo", "photo"), make("reason")], TYPE)

    answers, errors = parse_answers(
        specs, MultiDict(), MultiDict({"b_photo": upload(png(), "a.png")}), **_where(folder)
    )

    assert set(errors) == {"reason"}
    assert "photo" not in answers
    assert kept_files(folder) == []


def test_upload_reads_no_more_than_one_byte_past_the_limit(ctx, folder):
    class Endless(io.RawIOBase):
        """A body that never ends, counting what is read from it."""

        consumed = 0

        def readable(self):
            return True

        def read(self, size=-1):
            size = 4096 if size is None or size < 0 else size
            self.consumed += size
            return b"x" * size

    stream = Endless()

    with pytest.raises(UploadRejected):
        save_upload(
            ORG, FileStorage(stream, "big.png"), kind="photo", max_bytes=1000, folder=folder
        )

    assert stream.consumed == 1001


@pytest.mark.parametrize(
    ("filename", "kind", "name"),
    [
        ("صورة.png", "photo", "upload.png"),
        ("cat.html", "photo", "cat.png"),
        ("../../a b.pdf", "file", "a_b.pdf"),
    ],
)
def test_upload_names_are_made_safe(ctx, folder, filename, kind, name):
    data = png() if kind == "photo" else b"%PDF-1.4"

    saved = save_upload(ORG, upload(data, filename), kind=kind, max_bytes=MIB, folder=folder)

    assert saved["name"] == name


@pytest.mark.parametrize(
    ("organization_id", "key"),
    [
        (ORG, "../../../../etc/passwd"),
        (ORG, ".."),
        (ORG, "abc/defghijklmnopqrstuvwxyz"),
        (ORG, ""),
        ("..", "abcdefghijklmnopqrstuvwxyz"),
    ],
)
def test_open_upload_refuses_keys_that_leave_the_folder(tmp_path, organization_id, key):
    secret = tmp_path / "etc" / "passwd"
    secret.parent.mkdir()
    secret.write_text("root")

    assert open_upload(organization_id, key, folder=str(tmp_path / "uploads" / "x")) is None


def test_open_upload_of_unknown_key_is_none(folder):
    assert open_upload(ORG, "A" * 24, folder=folder) is None


# -- Filling a form again ------------------------------------------------------------------------


def test_answers_fill_the_form_again(ctx):
    fields = [
        make("count", "number"),
        make("level", "options", options=LEVELS, info={"multiple": True}),
        make("photo", "photo"),
        make("aftercare", "paragraph-readonly"),
    ]
    specs = booking_specs(fields, TYPE)
    answers = {
        "count": 3,
        "level": ["deep"],
        "photo": {"key": "k" * 24, "name": "tooth.png", "size": 9, "contentType": "image/png"},
    }

    values = answers_to_form(specs, answers)

    assert values == {"count": "3", "level": ["deep"], "photo": ["tooth.png"]}


def test_submitted_values_are_kept_for_the_next_try(ctx):
    fields = [make("nickname"), make("level", "options", options=LEVELS, info={"multiple": True})]
    form = MultiDict([("b_nickname", "Abu"), ("b_level", "deep")])

    values = submitted_values(booking_specs(fields, TYPE), form)

    assert values == {"nickname": "Abu", "level": ["deep"]}


# -- Rendering -------------------------------------------------------------------------------


class Tags(HTMLParser):
    """Start tags with their attributes, in document order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def find(self, tag: str, **attrs) -> list[dict]:
        return [
            found
            for name, found in self.tags
            if name == tag and all(found.get(k) == v for k, v in attrs.items())
        ]


def render(specs, values=None, errors=None, currency="SAR") -> str:
    return render_template_string(
        '{% from "_macros/fields.html" import fields %}'
        "{{ fields(specs, values, errors, currency) }}",
        specs=specs,
        values=values,
        errors=errors,
        currency=currency,
    )


def test_every_label_points_at_an_input(ctx):
    fields = [
        make("reason", "paragraph"),
        make("count", "number"),
        make("level", "options", options=LEVELS),
        make("photos", "photos"),
    ]
    tags = Tags(render(customer_specs([]) + booking_specs(fields, TYPE)))

    ids = {attrs.get("id") for _, attrs in tags.tags}
    targets = [label["for"] for label in tags.find("label")]
    # Four core fields, the paragraph, the number, two options and the photos.
    assert len(targets) == 9
    assert set(targets) <= ids


def test_inputs_match_their_field_types(ctx):
    many = [{"value": str(n), "label": f"Option {n}"} for n in range(8)]
    fields = [
        make("reason", "paragraph"),
        make("count", "number", info={"min": 1}),
        make("specialty", "options", options=many),
        make("level", "options", options=LEVELS, info={"multiple": True}),
        make("photos", "photos", optional=True),
        make("scan", "file"),
    ]
    tags = Tags(render(customer_specs([]) + booking_specs(fields, TYPE)))

    assert tags.find("input", id="c_email", type="email", autocomplete="email")
    assert tags.find("input", id="c_phoneNumber", type="tel", inputmode="tel", autocomplete="tel")
    (first_name,) = tags.find("input", id="c_firstName", autocomplete="given-name")
    assert "required" in first_name and first_name["aria-required"] == "true"
    assert tags.find("textarea", id="b_reason")
    assert tags.find("input", id="b_count", type="number", step="any", min="1")
    assert tags.find("select", id="b_specialty")
    assert len(tags.find("input", type="checkbox", name="b_level")) == 2
    assert tags.find("fieldset") and tags.find("legend")
    (photos,) = tags.find("input", id="b_photos", type="file", accept="image/*")
    assert "multiple" in photos and "required" not in photos
    (scan,) = tags.find("input", id="b_scan", type="file")
    assert "multiple" not in scan and scan["aria-required"] == "true"


def test_error_is_announced_with_the_input(ctx):
    specs = booking_specs([make("count", "number", info={"max": 5})], TYPE)

    html = render(specs, {"count": "9"}, {"count": "Enter 5 or less."})

    (count,) = Tags(html).find("input", id="b_count")
    assert count["aria-invalid"] == "true"
    assert count["aria-describedby"].split() == ["b_count-hint", "b_count-error"]
    assert count["value"] == "9"
    assert '<p class="field-error" id="b_count-error">Enter 5 or less.</p>' in html


def test_option_shows_what_it_adds(ctx):
    levels = [{"value": "deep", "label": "Deep", "minutes": 15, "price": "50.00"}]
    specs = booking_specs(
        [make("level", "options", options=levels)], TYPE, exclude_filters_and_adjusters=False
    )

    html = render(specs)

    assert "+15 min" in html
    assert "+SAR" in html and "50.00" in html


def test_tenant_text_is_escaped(ctx):
    fields = [
        make("nick", name="<script>alert(1)</script>"),
        make("level", "options", options=[{"value": "x", "label": "<b>bold</b>"}]),
        make("note", "paragraph-readonly", info={"content": "<img src=x>\nSecond line"}),
    ]

    html = render(booking_specs(fields, TYPE), {"nick": '"><script>'}, {"nick": "<i>bad</i>"})

    assert "<script>" not in html and "<b>" not in html and "<img" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x&gt;<br>Second line" in html


def test_readonly_paragraph_is_text_not_an_input(ctx):
    field = make("aftercare", "paragraph-readonly", info={"content": "Eat first.\nRest after."})

    html = render(booking_specs([field], TYPE))

    assert '<div class="field-readonly"' in html
    assert "Eat first.<br>Rest after." in html
    assert not Tags(html).find("input")


def test_arabic_page_shows_arabic_labels(app):
    row = make(
        "firstName", scope="customer", name="First name", name_translations={"ar": "الاسم الأول"}
    )
    with app.test_request_context("/?lang=ar"):
        html = render(customer_specs([row]))

    assert '<label for="c_firstName">الاسم الأول' in html


def test_decimal_limits_are_shown_as_a_hint(ctx):
    spec = spec_of(make("dose", "number", info={"min": "0.5"}))

    assert spec.min_value == Decimal("0.5")
    assert "At least 0.5." in render([spec])
