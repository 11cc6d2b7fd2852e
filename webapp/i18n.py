"""Languages: English and Arabic. The language comes from the URL (``?lang=ar``), then the
``lang`` cookie a switch leaves, then ``Accept-Language``, then the website's default.

Formatting helpers take the timezone and language explicitly: customers see times in their
own timezone, staff in the resource's, and Arabic pages use Arabic-Indic digits.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask, g, has_request_context, request
from flask_babel import Babel

from webapp.security import cookieless

LANGUAGES = ("en", "ar")
RTL_LANGUAGES = frozenset({"ar"})
LANG_COOKIE = "lang"
TRANSLATIONS_DIR = os.path.join(os.path.dirname(__file__), "translations")
_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

babel = Babel()


def url_lang() -> str | None:
    lang = request.args.get("lang")
    return lang if lang in LANGUAGES else None


def current_lang() -> str:
    """The request's language, chosen once per request."""
    if not has_request_context():
        return "en"
    lang = g.get("lang")
    if lang is None:
        lang = (
            url_lang()
            or _remembered_lang()
            or request.accept_languages.best_match(LANGUAGES)
            or _valid(g.get("site_lang"))
            or "en"
        )
        g.lang = lang
    return lang


def _remembered_lang() -> str | None:
    # The widget's frames never read cookies: their language travels in the URL.
    return None if cookieless() else _valid(request.cookies.get(LANG_COOKIE))


def _valid(lang: str | None) -> str | None:
    return lang if lang in LANGUAGES else None


def text_direction(lang: str | None = None) -> str:
    return "rtl" if (lang or current_lang()) in RTL_LANGUAGES else "ltr"


def translated(value: str | None, translations: Mapping | None, lang: str | None = None) -> str:
    """A tenant's text in the request's language when they wrote one, else as written."""
    lang = lang or current_lang()
    if translations and lang != "en":
        candidate = translations.get(lang)
        if isinstance(candidate, str) and candidate.strip():
            return candidate
    return value or ""


def digits(text: str, lang: str | None = None) -> str:
    return text.translate(_ARABIC_DIGITS) if (lang or current_lang()) == "ar" else text


# Formatting a date or a time with babel costs tens of microseconds; lists show the same few
# days and times many times over, so each text is made once per language.
@lru_cache(maxsize=4096)
def _day_text(day: date, fmt: str, lang: str) -> str:
    return digits(babel_dates.format_date(day, fmt, locale=lang), lang)


@lru_cache(maxsize=4096)
def _time_text(wall: time, lang: str) -> str:
    return digits(babel_dates.format_time(wall, "short", locale=lang), lang)


def format_day(value: date | datetime, tz: ZoneInfo | None = None, fmt: str = "full") -> str:
    if isinstance(value, datetime):
        value = (value.astimezone(tz) if tz is not None else value).date()
    return _day_text(value, fmt, current_lang())


def format_time(value: datetime, tz: ZoneInfo) -> str:
    local = value.astimezone(tz)
    return _time_text(time(local.hour, local.minute), current_lang())


def format_when(value: datetime, tz: ZoneInfo) -> str:
    """``Sunday, November 22, 2026 at 9:30 AM`` in the reader's language and timezone."""
    local = value.astimezone(tz)
    lang = current_lang()
    day = _day_text(local.date(), "full", lang)
    return f"{day} · {_time_text(time(local.hour, local.minute), lang)}"


def format_money(amount: Decimal | None, currency: str | None) -> str:
    if amount is None:
        return ""
    return digits(babel_numbers.format_currency(amount, currency or "SAR", locale=current_lang()))


def format_number(value: int | Decimal) -> str:
    return digits(babel_numbers.format_decimal(value, locale=current_lang()))


def month_name(value: date) -> str:
    return digits(babel_dates.format_date(value, "LLLL y", locale=current_lang()))


def weekday_names() -> list[tuple[str, str]]:
    """(short, long) weekday names from Sunday, for calendar headers."""
    names = babel_dates.get_day_names("wide", locale=current_lang())
    # Arabic's abbreviated names are the full names; its short ones fit a phone's calendar.
    width = "short" if current_lang() == "ar" else "abbreviated"
    short = babel_dates.get_day_names(width, locale=current_lang())
    order = (6, 0, 1, 2, 3, 4, 5)  # babel counts from Monday
    return [(short[i], names[i]) for i in order]


def timezone_label(tz_name: str) -> str:
    return babel_dates.get_timezone_location(ZoneInfo(tz_name), locale=current_lang())


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=current_lang,
        default_translation_directories=TRANSLATIONS_DIR,
    )
    app.jinja_env.globals.update(
        current_lang=current_lang,
        text_direction=text_direction,
        LANGUAGES=LANGUAGES,
        format_day=format_day,
        format_time=format_time,
        format_when=format_when,
        month_name=month_name,
        weekday_names=weekday_names,
    )
    app.jinja_env.filters.update(
        translated=translated,
        digits=digits,
        money=format_money,
        number=format_number,
    )
    app.jinja_env.add_extension("jinja2.ext.i18n")

    @app.after_request
    def _remember_language(response):
        lang = url_lang()
        if lang and request.cookies.get(LANG_COOKIE) != lang and not cookieless():
            response.set_cookie(
                LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
            )
        return response
