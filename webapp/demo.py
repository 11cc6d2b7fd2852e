"""The demo clinic (``mawid demo``): a realistic organization to click through, in English
and Arabic, with branches, doctors, services, custom fields, customers and bookings.

Everything is built through the same functions the product uses (accounts, the booking
lifecycle), and bookings are placed on times ``find_available_slots`` offers at ``now``.
"""

from __future__ import annotations

import copy
import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp import accounts
from webapp.booking import availability, invoices, lifecycle, queue
from webapp.booking import intervals as iv
from webapp.booking import slots as sl
from webapp.embed.origins import normalize_origin
from webapp.manage import booking_partners, oauth_clients
from webapp.models import (
    BookingType,
    Customer,
    CustomField,
    Member,
    OffRules,
    Organization,
    Resource,
    ResourceCategory,
    TimeRules,
    User,
    Website,
)

SLUG = "demo"
TIMEZONE = "Asia/Riyadh"
OWNER_EMAIL = "owner@demo.mawid.test"
STAFF_EMAIL = "staff@demo.mawid.test"
ALLOWED_DOMAINS = ["http://localhost:8080"]
WORKWEEK = ["sunday", "monday", "tuesday", "wednesday", "thursday"]
# Days after today (clinic time) searched for the demo's bookings.
BOOKING_WINDOW_DAYS = 14


class DemoAlreadyLoaded(click.ClickException):
    """The demo is loaded once per database; the CLI prints the message and exits 1."""


def _week(*periods: tuple[int, int], days=WORKWEEK) -> dict:
    return {"days": list(days), "times": [{"start": s, "end": e} for s, e in periods]}


def _ar(text: str) -> dict:
    return {"ar": text}


WEBSITE = {
    "display_name": "Demo Clinic",
    "description": (
        "A family dental clinic with two branches in Riyadh. Book a checkup, a cleaning "
        "or a consultation online, in English or Arabic."
    ),
    "terms": (
        "Please arrive ten minutes before your appointment. You can cancel or reschedule "
        "free of charge up to 12 hours before it starts."
    ),
    "booking_success_message": "Thank you! Your appointment is booked; the details are on the way.",
    "translations": {
        "ar": {
            "displayName": "العيادة التجريبية",
            "description": (
                "عيادة أسنان عائلية بفرعين في الرياض. احجز فحصًا أو تنظيفًا أو استشارة "
                "عبر الإنترنت بالعربية أو الإنجليزية."
            ),
            "terms": (
                "يرجى الحضور قبل موعدك بعشر دقائق. يمكنك إلغاء الموعد أو تغييره مجانًا "
                "حتى ١٢ ساعة قبل بدايته."
            ),
            "bookingSuccessMessage": "شكرًا لك! تم حجز موعدك، وستصلك التفاصيل قريبًا.",
        }
    },
    "booking_policy": "specifyAndLeastFirst",
    "booking_time_policy": "displayAll",
    "booking_time_splitting": "oclockAndHalf",
    "call_support": "+966110000000",
    "whatsapp": "+966500000000",
    "email_support": "care@demo.mawid.test",
    "instagram": "demo.clinic",
    "twitter": "democlinic",
    "map": {"lat": 24.6937, "lng": 46.6853, "label": "Olaya Street, Riyadh"},
}

CATEGORIES = {
    "olaya": ("Olaya Branch", "فرع العليا"),
    "malqa": ("Malqa Branch", "فرع الملقا"),
}

D = Decimal
# key: name, Arabic name, BookingType columns
BOOKING_TYPES = {
    # Walk-ins may also wait in the checkup's queue instead of picking a time.
    "checkup": (
        "Dental checkup",
        "فحص الأسنان",
        dict(minutes=30, auto_confirm=True, queue_enabled=True),
    ),
    "whitening": (
        "Teeth whitening",
        "تبييض الأسنان",
        dict(minutes=60, auto_confirm=True, price=D("150.00"), old_price=D("200.00"))
        | dict(deposit_amount=D("50.00"), payment_methods=["creditCard"]),
    ),
    "orthodontics": (
        "Orthodontic consultation",
        "استشارة تقويم الأسنان",
        dict(minutes=45, auto_confirm=False, price=D("100.00"), payment_methods=["manual"]),
    ),
    "cleaning": (
        "Dental cleaning",
        "تنظيف الأسنان",
        dict(minutes=30, auto_confirm=True, price=D("120.00"), payment_methods=["manual"]),
    ),
    "root_canal": (
        "Root canal treatment",
        "علاج عصب الأسنان",
        dict(minutes=60, leave_minutes_before=10, leave_minutes_after=15, auto_confirm=True)
        | dict(price=D("800.00"), payment_methods=["manual"]),
    ),
}

# What each service is, in English and Arabic.
DESCRIPTIONS = {
    "checkup": (
        "An examination of teeth and gums, with advice on what to do next.",
        "فحص للأسنان واللثة مع نصائح لما يلزم بعد ذلك.",
    ),
    "whitening": (
        "In-clinic whitening, several shades lighter in one visit.",
        "تبييض في العيادة يفتّح الأسنان عدة درجات في زيارة واحدة.",
    ),
    "orthodontics": (
        "Braces or clear aligners? An orthodontist looks and explains the options.",
        "تقويم معدني أم شفاف؟ يفحصك أخصائي التقويم ويشرح لك الخيارات.",
    ),
    "cleaning": (
        "Scaling and polishing by a hygienist; choose how thorough below.",
        "إزالة الجير والتلميع على يد أخصائية صحة الفم؛ اختر نوع التنظيف لاحقًا.",
    ),
    "root_canal": (
        "Treatment of an infected tooth nerve, under local anaesthetic.",
        "علاج عصب السن الملتهب تحت تخدير موضعي.",
    ),
}

# What each resource does, in English and Arabic (its branch is added).
ROLES = {
    "sara": ("General dentist and endodontist", "طبيبة أسنان عامة وأخصائية علاج العصب"),
    "omar": ("Orthodontist", "أخصائي تقويم الأسنان"),
    "nora": ("Cleaning and whitening", "التنظيف والتبييض"),
    "room": ("Root canal treatment with a microscope", "علاج العصب بالمجهر"),
}

# key: name, Arabic name, category, custom data, booking types, weekly rules
RESOURCES = {
    "sara": (
        "Dr. Sara Al-Qahtani",
        "د. سارة القحطاني",
        "olaya",
        {"specialty": ["dentistry", "endodontics"], "languages": ["ar", "en"]},
        ("checkup", "whitening", "cleaning", "root_canal"),
        [_week((900, 1300), (1400, 1800)), _week((1000, 1400), days=["saturday"])],
    ),
    "omar": (
        "Dr. Omar Haddad",
        "د. عمر حداد",
        "malqa",
        {"specialty": "orthodontics", "languages": ["ar", "en", "fr"]},
        ("checkup", "orthodontics"),
        [_week((1200, 1600), (1700, 2100))],
    ),
    "nora": (
        "Nora Al-Harbi, dental hygienist",
        "نورة الحربي، أخصائية صحة الفم",
        "olaya",
        {"specialty": "hygiene", "languages": ["ar"]},
        ("checkup", "cleaning", "whitening"),
        [_week((800, 1200), (1300, 1600))],
    ),
    "room": (
        "Surgery room 1",
        "غرفة العمليات ١",
        "malqa",
        {"specialty": "endodontics", "equipment": "microscope"},
        ("root_canal",),
        [_week((900, 1300), (1400, 2000))],
    ),
}

SPECIALTIES = (
    ("dentistry", "General dentistry", "طب الأسنان العام"),
    ("orthodontics", "Orthodontics", "تقويم الأسنان"),
    ("hygiene", "Dental hygiene", "صحة الفم والأسنان"),
    ("endodontics", "Root canal (endodontics)", "علاج العصب"),
)
CLEANING_LEVELS = (
    ("standard", "Standard cleaning", "تنظيف عادي", 0, "0.00"),
    ("polish", "Cleaning and polishing", "تنظيف وتلميع", 10, "40.00"),
    ("deep", "Deep cleaning", "تنظيف عميق", 15, "80.00"),
)

AFTERCARE = {
    "content": "Eat a light meal beforehand; the numbness lasts about two hours.",
    "contentTranslations": _ar("تناول وجبة خفيفة قبل الموعد؛ يستمر التخدير ساعتين."),
}

CUSTOMERS = (
    ("Layla", "Al-Otaibi", "layla@example.com", "+966501110001", "ar", "1990-04-12"),
    ("Ahmed", "Al-Shehri", "ahmed@example.com", "+966501110002", "ar", "1985-09-30"),
    ("Fahad", "Al-Dosari", "fahad@example.com", "+966501110003", "ar", "2001-01-17"),
    ("Maryam", "Khan", "maryam@example.com", "+966501110004", "en", "1994-06-05"),
    ("John", "Miller", "john@example.com", "+966501110005", "en", "1978-11-23"),
)


def load_demo(session: Session, *, now: datetime, base_url: str) -> dict:
    """Create the demo clinic and answer its URLs, logins, keys and ids (JSON-able)."""
    _refuse_if_loaded(session)
    passwords = {"owner": secrets.token_urlsafe(9), "staff": secrets.token_urlsafe(9)}
    owner = accounts.create_user(
        session, email=OWNER_EMAIL, password=passwords["owner"], name="Huda Al-Rashid"
    )
    organization, website = accounts.create_organization(
        session, owner=owner, name="Demo Clinic", timezone=TIMEZONE, slug=SLUG, currency="SAR"
    )
    organization.online_payments_enabled = True
    # The demo's own address may frame the widget, so its "try" page works as served.
    own = normalize_origin(base_url)
    website.allowed_domains = [*([own] if own else []), *ALLOWED_DOMAINS]
    for version in website.versions:
        for key, value in copy.deepcopy(WEBSITE).items():
            setattr(version, key, value)
        version.logo = {"url": f"{base_url}/static/img/demo-clinic.svg"}

    today = now.astimezone(iv.zone(TIMEZONE)).date()
    categories = _add_categories(session, organization)
    types = _add_booking_types(session, organization)
    _add_custom_fields(session, organization, types)
    resources = _add_resources(session, organization, categories, types, today)
    staff = _add_staff(session, organization, resources["sara"], passwords["staff"])
    customers = _add_customers(session, organization)
    session.flush()
    bookings = _add_bookings(
        session, organization, website, types, resources, customers, owner, now
    )
    walk_ins = _add_walk_ins(session, organization, website, types["checkup"], customers, now)

    account_key = accounts.issue_account_key(session, owner, name="demo")
    organization_key = accounts.issue_organization_key(session, organization, "demo")
    integrations = _add_integrations(session, organization, base_url)
    return {
        "organizationId": organization.id,
        "appId": website.app_id,
        "slug": website.slug,
        "urls": {
            "home": base_url + "/",
            "bookingSite": f"{base_url}/{website.slug}/",
            "widget": f"{base_url}/embed/{website.app_id}/try",
            "admin": base_url + "/admin/",
            "api": base_url + "/api/",
            "health": base_url + "/healthz",
        },
        "logins": [
            {"role": "owner", "email": owner.email, "password": passwords["owner"]},
            {"role": "staff", "email": staff.email, "password": passwords["staff"]},
        ],
        "apiKeys": {"account": account_key, "organization": organization_key},
        "integrations": integrations,
        "resources": [{"id": r.id, "name": r.name} for r in resources.values()],
        "bookingTypes": [{"id": t.id, "name": t.name} for t in types.values()],
        "bookings": bookings,
        "queue": walk_ins,
    }


def _add_walk_ins(session, organization, website, checkup, customers, now) -> list[dict]:
    """Two customers waiting in the checkup's queue, the first for a few minutes already."""
    waiting = []
    for minutes_ago, customer in ((6, customers[3]), (2, customers[4])):
        booking = queue.join_queue(
            session,
            organization,
            booking_type_id=checkup.id,
            actor=lifecycle.Actor("customer", customer.id),
            now=now - timedelta(minutes=minutes_ago),
            customer=customer,
            source="website",
            website_id=website.id,
            assignment_timeout=120,
        )
        waiting.append({"id": booking.id, "customer": f"{customer.first_name}"})
    return waiting


def _add_integrations(session: Session, organization, base_url: str) -> dict:
    """An API client, a public module client and a booking partner, with where they call."""
    client, secret = oauth_clients.create_client(session, organization, name="Demo booking app")
    module, _none = oauth_clients.create_client(
        session, organization, name="Demo module", public=True
    )
    partner, password = booking_partners.create_partner(
        session, organization, name="Demo reservation partner"
    )
    return {
        "oauthClient": {"clientId": client.client_id, "clientSecret": secret},
        "moduleClient": {"clientId": module.client_id},
        "bookingPartner": {"username": partner.username, "password": password},
        "urls": {
            "token": base_url + "/oauth/token",
            "holdConfirmApi": base_url + "/api/v1/",
            "moduleApi": f"{base_url}/module/v3/en/organization/{organization.id}/",
            "bookingServer": base_url + "/rwg/v3/",
            "mcp": base_url + "/mcp",
        },
    }


def _refuse_if_loaded(session: Session) -> None:
    if session.scalar(select(Website.id).where(Website.slug == SLUG)):
        raise DemoAlreadyLoaded(
            f"The demo is already loaded: a website with slug {SLUG!r} exists. "
            "Use a fresh database (or `mawid demo --if-empty`)."
        )
    if session.scalar(select(User.id).where(User.email.in_([OWNER_EMAIL, STAFF_EMAIL]))):
        raise DemoAlreadyLoaded(
            f"The demo logins ({OWNER_EMAIL}, {STAFF_EMAIL}) already exist; use a fresh database."
        )


def _add_categories(session, organization) -> dict[str, ResourceCategory]:
    categories = {}
    for position, (key, (name, arabic)) in enumerate(CATEGORIES.items()):
        categories[key] = ResourceCategory(
            organization_id=organization.id,
            name=name,
            name_translations=_ar(arabic),
            description=f"Demo Clinic, {name}",
            description_translations=_ar(f"العيادة التجريبية، {arabic}"),
            position=position,
        )
    session.add_all(categories.values())
    return categories


def _add_booking_types(session, organization) -> dict[str, BookingType]:
    types = {}
    for position, (key, (name, arabic, columns)) in enumerate(BOOKING_TYPES.items()):
        types[key] = BookingType(
            organization_id=organization.id,
            name=name,
            name_translations=_ar(arabic),
            description=DESCRIPTIONS[key][0],
            description_translations=_ar(DESCRIPTIONS[key][1]),
            position=position,
            **columns,
        )
    session.add_all(types.values())
    session.flush()
    return types


def _options(rows) -> list[dict]:
    return [
        {"value": value, "label": en, "label_translations": _ar(ar), **extra}
        for value, en, ar, *rest in rows
        for extra in [dict(zip(("minutes", "price"), rest, strict=False))]
    ]


def _field(key: str, name: str, arabic: str, type_: str, **columns) -> dict:
    return {"key": key, "name": name, "name_translations": _ar(arabic), "type": type_, **columns}


def _add_custom_fields(session, organization, types) -> None:
    cleaning = [types["cleaning"].id]
    booking_fields = [
        # A resource filter: matched against each resource's custom data (meta).
        _field("specialty", "Specialty", "التخصص", "options", optional=True)
        | dict(options=_options(SPECIALTIES), info={"filterResources": True}),
        # Time adjusters, for dental cleaning only: an option and a per-unit number.
        _field("cleaningLevel", "Cleaning level", "نوع التنظيف", "options", types=cleaning)
        | dict(options=_options(CLEANING_LEVELS)),
        _field("extraTeeth", "Extra teeth to treat", "أسنان إضافية للعلاج", "number")
        | dict(optional=True, types=cleaning, minutes=10, price=D("25.00")),
        _field("reasonForVisit", "Reason for visit", "سبب الزيارة", "paragraph", optional=True),
        _field("aftercare", "Before your treatment", "قبل العلاج", "paragraph-readonly")
        | dict(optional=True, types=[types["root_canal"].id], info=AFTERCARE),
        _field("chartNumber", "Chart number", "رقم الملف", "text", optional=True)
        | dict(visibility="providerOnly"),
    ]
    customer_fields = [
        _field("phoneNumber", "Mobile number", "رقم الجوال", "text", text_type="phone")
        | dict(phone_auth_methods=["sms", "whatsapp"], default_country="SA"),
        _field("firstName", "First name", "الاسم الأول", "text"),
        _field("lastName", "Last name", "اسم العائلة", "text"),
        _field("email", "Email", "البريد الإلكتروني", "text", text_type="email", optional=True),
        _field("dateOfBirth", "Date of birth", "تاريخ الميلاد", "text", optional=True)
        | dict(info={"placeholder": "YYYY-MM-DD"}),
    ]
    for scope, fields in (("booking", booking_fields), ("customer", customer_fields)):
        for position, values in enumerate(fields):
            values.setdefault("visibility", "public")
            session.add(
                CustomField(
                    organization_id=organization.id, scope=scope, position=position, **values
                )
            )


def _next_date(today: date, month: int, day: int) -> date:
    this_year = date(today.year, month, day)
    return this_year if this_year >= today else date(today.year + 1, month, day)


def _add_resources(session, organization, categories, types, today) -> dict[str, Resource]:
    holidays = [
        {"type": "date", "date": _next_date(today, 2, 22).isoformat(), "note": "Founding Day"},
        {"type": "date", "date": _next_date(today, 9, 23).isoformat(), "note": "National Day"},
    ]
    vacation = {
        "type": "range",
        "from": f"{today + timedelta(days=BOOKING_WINDOW_DAYS + 1)}T00:00",
        "to": f"{today + timedelta(days=BOOKING_WINDOW_DAYS + 6)}T00:00",
        "note": "Annual leave",
    }
    resources = {}
    for position, (key, spec) in enumerate(RESOURCES.items()):
        name, arabic, category, meta, offered, rules = spec
        resource = Resource(
            organization_id=organization.id,
            category=categories[category],
            name=name,
            name_translations=_ar(arabic),
            description=f"{ROLES[key][0]} · {CATEGORIES[category][0]}",
            description_translations=_ar(f"{ROLES[key][1]} · {CATEGORIES[category][1]}"),
            meta=meta,
            position=position,
            booking_types=[types[t] for t in offered],
        )
        session.add(resource)
        session.flush()
        session.add(
            TimeRules(
                resource_id=resource.id,
                organization_id=organization.id,
                depth_of_days=60,
                schedule_after_hours_from_now=2,
                rules=rules,
            )
        )
        off = holidays + ([vacation] if key == "omar" else [])
        session.add(OffRules(resource_id=resource.id, organization_id=organization.id, rules=off))
        resources[key] = resource
    resources["sara"].provider_email = STAFF_EMAIL
    return resources


def _add_staff(session, organization, resource, password) -> User:
    user = accounts.create_user(
        session, email=STAFF_EMAIL, password=password, name="Dr. Sara Al-Qahtani"
    )
    session.add(
        Member(organization_id=organization.id, user_id=user.id, role="staff", resources=[resource])
    )
    return user


def _add_customers(session, organization) -> list[Customer]:
    customers = [
        Customer(
            organization_id=organization.id,
            first_name=first,
            last_name=last,
            email=email,
            phone=phone,
            lang=lang,
            data={"dateOfBirth": born},
        )
        for first, last, email, phone, lang, born in CUSTOMERS
    ]
    session.add_all(customers)
    return customers


def _pick_slot(
    session,
    organization: Organization,
    booking_type: BookingType,
    now: datetime,
    *,
    day: int,
    nth: int = 0,
    **query,
) -> availability.Slot:
    """A start the website offers now: the ``nth`` slot of the ``day``-th open day."""
    today = now.astimezone(iv.zone(TIMEZONE)).date()
    found = availability.find_available_slots(
        session,
        organization,
        booking_type.id,
        today + timedelta(days=1),
        today + timedelta(days=BOOKING_WINDOW_DAYS),
        timezone=TIMEZONE,
        grid=sl.grid_for_website(WEBSITE["booking_time_splitting"]),
        now=now,
        **query,
    )
    if not found.days:
        raise RuntimeError(f"the demo found no free time for {booking_type.name!r}")
    slots = found.days[min(day, len(found.days) - 1)].slots
    return slots[min(nth, len(slots) - 1)]


def _add_bookings(session, organization, website, types, resources, customers, owner, now):
    layla, ahmed, fahad, maryam, john = customers
    staff = lifecycle.Actor("staff", owner.id)
    deep_cleaning = {"cleaningLevel": "deep", "extraTeeth": 2}
    plan = [
        # (service, customer, by staff, open day, slot of that day, resource, extra arguments)
        ("checkup", layla, False, 0, 1, None, {"info": {"reasonForVisit": "Six-month checkup"}}),
        ("whitening", ahmed, True, 0, 2, "nora", {}),
        ("orthodontics", fahad, False, 1, 0, None, {"info": {"reasonForVisit": "Crowded teeth"}}),
        ("cleaning", maryam, False, 1, 3, None, {"time_adjusters": deep_cleaning}),
        ("root_canal", ahmed, True, 2, 1, "sara", {"info": {"chartNumber": "C-1042"}}),
        ("checkup", john, False, 2, 4, None, {"resource_filters": {"specialty": "hygiene"}}),
        ("checkup", fahad, False, 3, 2, None, {"info": {"reasonForVisit": "Sensitive tooth"}}),
    ]
    made = []
    for type_key, customer, by_staff, day, nth, resource_key, extra in plan:
        booking_type = types[type_key]
        resource_ids = [resources[resource_key].id] if resource_key else None
        query = {k: v for k, v in extra.items() if k in ("time_adjusters", "resource_filters")}
        slot = _pick_slot(
            session,
            organization,
            booking_type,
            now,
            day=day,
            nth=nth,
            resource_ids=resource_ids,
            **query,
        )
        booking = lifecycle.create_booking(
            session,
            organization,
            booking_type_id=booking_type.id,
            start=slot.start,
            actor=staff if by_staff else lifecycle.Actor("customer", customer.id),
            now=now,
            customer=customer,
            resource_id=resource_ids[0] if resource_ids else None,
            website_id=website.id,
            timezone=TIMEZONE,
            source="admin" if by_staff else "website",
            **extra,
        )
        if booking.status == "PENDING_PAYMENT":  # the deposit was paid at the front desk
            invoices.paid_at_desk(session, organization, booking.id, actor=staff, now=now)
        made.append(booking)
    # A customer changed their mind about the last checkup.
    lifecycle.cancel_booking(
        session,
        organization,
        made[-1].id,
        actor=lifecycle.Actor("customer", fahad.id),
        now=now,
        reason="Travelling that week",
    )
    zone = iv.zone(TIMEZONE)
    return [
        {
            "id": b.id,
            "type": b.booking_type.name,
            "status": b.status,
            "start": b.start_at.astimezone(zone).isoformat(),
        }
        for b in made
    ]
