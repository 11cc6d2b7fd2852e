"""Paying online on the booking website: a paid service waits for payment, the booking page
offers "Pay now", the payment page shows the invoice and takes the sandbox's test cards, and
the booking is confirmed once what is due up front is paid."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import select

from tests.web.conftest import Site, customer_form, link_to, path_of, starts, text
from tests.web.test_embed import HOST, allow, completion, frame_url
from webapp.booking import expiry
from webapp.models import BookingType, Invoice, Organization, Payment, Website
from webapp.payments.links import payment_links, payment_token, read_payment_token

PAID = {"number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123"}
DECLINED = {**PAID, "number": "4000 0000 0000 0002"}
_FAILURE = re.compile(r"<script type=\"application/json\" data-payment-failed>(.*?)</script>")
_FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)" class="pay-form"')


@pytest.fixture
def shop(site: Site) -> Site:
    """Shifa Clinic taking card payments: Consultation (150, deposit 50) and Vaccination
    (80, paid in full online)."""
    site.update(Organization, site.organization_id, online_payments_enabled=True)
    site.update(BookingType, site.types["consultation"], payment_methods=["creditCard"])
    site.update(
        BookingType, site.types["vaccination"], price=Decimal("80"), payment_methods=["creditCard"]
    )
    return site


def book_paid(site: Site, service: str = "vaccination"):
    """Book through the website; the booking page that answers, and the payment page's path."""
    page = site.book(service)
    assert page.status_code == 200, text(page)
    return page, path_of(link_to(page, "Pay now"))


def invoice_of(site: Site, booking_id: str) -> Invoice:
    with site.db() as session:
        return session.scalars(select(Invoice).where(Invoice.booking_id == booking_id)).one()


def payments_of(site: Site, invoice_id: str) -> list[Payment]:
    with site.db() as session:
        return list(session.scalars(select(Payment).where(Payment.invoice_id == invoice_id)))


def booking_id_of(site: Site, pay_path: str) -> str:
    with site.db() as session:
        token = pay_path.split("/pay/")[1].split("?")[0].split("/")[0]
        return session.get(Invoice, read_payment_token(token)).booking_id


def test_a_paid_service_waits_for_payment_and_the_card_4242_confirms_it(shop):
    page, pay = book_paid(shop)
    assert "Waiting for payment" in text(page)
    booking_id = booking_id_of(shop, pay)
    assert shop.booking(booking_id).status == "PENDING_PAYMENT"

    form = shop.client.get(pay)
    assert form.status_code == 200
    body = text(form)
    assert "Sandbox: test cards only" in body
    assert "4242 4242 4242 4242" in body and "4000 0000 0000 0002" in body
    assert "Vaccination" in body and "Due now:" in body
    invoice = invoice_of(shop, booking_id)
    assert f"No. {invoice.number}" in body
    assert "SAR" in body and "80.00" in body

    done = shop.client.post(pay, data=PAID)
    assert done.status_code == 303
    paid = shop.client.get(path_of(done.headers["Location"]))
    assert "Payment received" in text(paid)
    assert "Your booking is confirmed." in text(paid)
    assert shop.client.get(path_of(link_to(paid, "See your booking"))).status_code == 200

    assert shop.booking(booking_id).status == "CONFIRMED"
    invoice = invoice_of(shop, booking_id)
    assert (invoice.status, invoice.amount_paid, invoice.balance) == ("PAID", 80, 0)
    [payment] = payments_of(shop, invoice.id)
    assert (payment.status, payment.provider, payment.card_last4) == (
        "SUCCEEDED",
        "sandbox",
        "4242",
    )
    assert payment.reference.startswith("sbx_")
    # Paid: the booking page no longer asks, and paying again takes nothing.
    assert "Pay now" not in text(shop.client.get(path_of(link_to(paid, "See your booking"))))
    again = shop.client.post(pay, data=PAID)
    assert again.status_code == 409 and "Paid" in text(again)
    assert len(payments_of(shop, invoice.id)) == 1


def test_a_declined_card_leaves_the_booking_waiting_and_may_be_tried_again(shop):
    _page, pay = book_paid(shop)
    booking_id = booking_id_of(shop, pay)

    declined = shop.client.post(pay, data=DECLINED)
    assert declined.status_code == 422
    assert "Your card was declined" in text(declined)
    assert 'class="pay-form"' in text(declined), "the customer can try again"
    assert shop.booking(booking_id).status == "PENDING_PAYMENT"
    invoice = invoice_of(shop, booking_id)
    assert (invoice.status, invoice.amount_paid) == ("UNPAID", 0)
    [failed] = payments_of(shop, invoice.id)
    assert (failed.status, failed.failure_reason, failed.card_last4) == (
        "FAILED",
        "card_declined",
        "0002",
    )

    assert shop.client.post(pay, data=PAID).status_code == 303
    assert shop.booking(booking_id).status == "CONFIRMED"
    assert sorted(p.status for p in payments_of(shop, invoice.id)) == ["FAILED", "SUCCEEDED"]


def test_a_deposit_is_what_is_charged_and_confirms_the_booking(shop):
    _page, pay = book_paid(shop, "consultation")
    booking_id = booking_id_of(shop, pay)
    body = text(shop.client.get(pay))
    assert "<dt>Deposit</dt>" in body
    assert re.search(r"Due now:\s*<strong>SAR\s*50\.00</strong>", unescape(body)), body

    done = shop.client.post(pay, data=PAID)
    assert done.status_code == 303
    invoice = invoice_of(shop, booking_id)
    assert (invoice.status, invoice.amount_paid, invoice.balance) == ("PARTIALLY_PAID", 50, 100)
    assert shop.booking(booking_id).status == "CONFIRMED"
    [payment] = payments_of(shop, invoice.id)
    assert payment.amount == 50
    paid = text(shop.client.get(path_of(done.headers["Location"])))
    assert "Payment received" in paid and "Pay the balance now (optional)" in paid


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"number": "1234 5678 9012 3456"}, "number", "Enter a valid card number."),
        ({"number": "5555 5555 5555 4444"}, "number", "Use a sandbox test card"),
        ({"number": "4242 4242 4242 4242 <b>"}, "number", "Enter a valid card number."),
        ({"expiry": "13/30"}, "expiry", "Enter the expiry date as MM/YY."),
        ({"expiry": "10/26"}, "expiry", "This card has expired."),
        ({"expiry": ""}, "expiry", "Enter the expiry date as MM/YY."),
        ({"cvc": "12"}, "cvc", "Enter the 3 or 4 digits of the security code."),
        ({"cvc": "x" * 5000}, "cvc", "Enter the 3 or 4 digits of the security code."),
    ],
)
def test_card_details_that_cannot_be_used_are_refused_and_nothing_is_recorded(
    shop, change, field, message
):
    _page, pay = book_paid(shop)
    booking_id = booking_id_of(shop, pay)
    answer = shop.client.post(pay, data={**PAID, **change})
    assert answer.status_code == 422
    body = text(answer)
    assert f'id="card-{field}-error"' in body and message in unescape(body)
    assert 'id="card-number" name="number"' in body and 'aria-invalid="true"' in body
    assert payments_of(shop, invoice_of(shop, booking_id).id) == []
    assert shop.booking(booking_id).status == "PENDING_PAYMENT"


def test_a_bad_or_foreign_payment_link_is_not_found(shop, other_site):
    _page, pay = book_paid(shop)
    assert shop.client.get(shop.url("/pay/not-a-token")).status_code == 404
    assert shop.client.post(shop.url("/pay/not-a-token"), data=PAID).status_code == 404
    token = pay.split("/pay/")[1]
    # The same (genuine) token on another business's website.
    assert other_site.client.get(other_site.url(f"/pay/{token}")).status_code == 404
    assert other_site.client.post(other_site.url(f"/pay/{token}"), data=PAID).status_code == 404
    assert other_site.client.get(other_site.url(f"/pay/{token}/webview")).status_code == 404


def test_the_time_to_pay_runs_out(shop):
    _page, pay = book_paid(shop)
    booking_id = booking_id_of(shop, pay)
    later = shop.app.config["MAWID_NOW"] + timedelta(minutes=31)
    # Past the window, before the worker's round: it can no longer be paid.
    shop.app.config["MAWID_NOW"] = later
    assert "ran out" in text(shop.client.get(pay))
    refused = shop.client.post(pay, data=PAID)
    assert refused.status_code == 410 and "ran out" in text(refused)
    # The worker cancels it; the page says so, and no payment was taken.
    with shop.db() as session:
        expiry.expire_due(session, later)
        session.commit()
    assert shop.booking(booking_id).status == "CANCELED"
    page = shop.client.get(pay)
    assert page.status_code == 410
    assert "This booking can no longer be paid" in text(page) and "ran out" in text(page)
    assert 'class="pay-form"' not in text(page)
    assert payments_of(shop, invoice_of(shop, booking_id).id) == []


def test_a_canceled_booking_cannot_be_paid(shop):
    page, pay = book_paid(shop)
    manage = page.request.path
    canceled = shop.client.post(manage + "/cancel", data={"reason": ""})
    assert canceled.status_code == 303
    refused = shop.client.post(pay, data=PAID)
    assert refused.status_code == 410 and "was canceled" in text(refused)


def test_the_payment_form_is_protected_by_csrf_on_the_website(shop):
    _page, pay = book_paid(shop)
    shop.app.config["WTF_CSRF_ENABLED"] = True
    assert shop.client.post(pay, data=PAID).status_code == 400
    form = shop.client.get(pay)
    token = re.search(r'name="csrf_token" value="([^"]+)"', text(form))[1]
    assert shop.client.post(pay, data={**PAID, "csrf_token": token}).status_code == 303


def test_the_arabic_payment_page(shop):
    _page, pay = book_paid(shop)
    page = shop.client.get(pay + "?lang=ar")
    body = text(page)
    assert 'dir="rtl"' in body
    # The card numbers keep their order inside Arabic text.
    assert '<span class="card-number" dir="ltr">4242 4242 4242 4242</span>' in body


def test_the_web_view_page_tells_its_host_and_needs_no_cookie(shop):
    _page, pay = book_paid(shop)
    booking_id = booking_id_of(shop, pay)
    shop.update(Website, shop.website_id, allowed_domains=["https://shop.example.com"])
    shop.app.config["WTF_CSRF_ENABLED"] = True
    client = shop.app.test_client(use_cookies=False)
    webview = pay + "/webview"

    page = client.get(webview)
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"] == "frame-ancestors https://shop.example.com"
    assert "X-Frame-Options" not in page.headers
    body = text(page)
    assert "site-bar" not in body and "site-footer" not in body
    assert f'{{"bookingId": "{booking_id}", "type": "paymentInitialized"}}' in body
    assert "https://shop.example.com" in unescape(
        re.search(r'data-allowed-origins="([^"]*)"', body)[1]
    )
    assert "Set-Cookie" not in page.headers

    declined = client.post(webview, data=DECLINED)
    assert declined.status_code == 422
    assert '"reason": "card_declined", "type": "paymentFailed"' in text(declined)

    done = client.post(webview + "?origin=https://shop.example.com", data=PAID)
    assert done.status_code == 303
    assert "/webview?" in done.headers["Location"]
    assert "origin=https" in done.headers["Location"]
    paid = client.get(path_of(done.headers["Location"]))
    assert f'{{"bookingId": "{booking_id}", "type": "paymentSuccess"}}' in text(paid)
    assert 'data-host-origin="https://shop.example.com"' in text(paid)
    assert shop.booking(booking_id).status == "CONFIRMED"


def test_a_web_view_opened_for_an_origin_the_website_does_not_allow_names_no_host(shop):
    _page, pay = book_paid(shop)
    page = shop.client.get(pay + "/webview?origin=https://evil.example.net")
    assert 'data-host-origin=""' in text(page)
    assert page.headers["Content-Security-Policy"] == "frame-ancestors 'none'"


def test_payment_links_point_at_the_pages(shop):
    _page, pay = book_paid(shop)
    booking_id = booking_id_of(shop, pay)
    with shop.app.test_request_context("/"), shop.db() as session:
        invoice = invoice_of(shop, booking_id)
        website = session.get(Website, shop.website_id)
        links = payment_links(website, invoice)
        token = payment_token(invoice)
    assert links["paymentLink"] == f"http://localhost/{shop.slug}/pay/{token}"
    assert links["paymentWebViewLink"] == f"http://localhost/{shop.slug}/pay/{token}/webview"
    assert shop.client.get(path_of(links["paymentWebViewLink"])).status_code == 200


def test_in_the_widget_frame_the_customer_pays_before_the_host_hears_of_the_booking(shop):
    allow(shop, [HOST])
    shop.app.config["WTF_CSRF_ENABLED"] = True
    shop.client = shop.app.test_client(use_cookies=False)
    choice = {"type": shop.types["vaccination"], "resource": shop.resources["huda"]}
    page = shop.client.get(frame_url(shop, **choice, origin=HOST))
    hold_action = unescape(re.search(r'<form method="post" action="([^"]+)"', text(page))[1])
    held = shop.client.post(
        hold_action,
        data={**choice, "start": starts(page)[0]},
    )
    done = shop.client.post(path_of(held.headers["Location"]), data=customer_form())
    pay = path_of(done.headers["Location"])
    assert re.match(r"/embed/[^/]+/pay/[^/?]+\?", pay), pay
    assert "origin=https" in pay and "mode=native" in pay

    form = shop.client.get(pay)
    assert form.status_code == 200 and completion(form) is None
    assert form.headers["Content-Security-Policy"] == f"frame-ancestors {HOST}"
    action = unescape(_FORM_ACTION.search(text(form))[1])
    assert action.startswith("/embed/") and "origin=https" in action

    declined = shop.client.post(action, data=DECLINED)
    assert declined.status_code == 422
    failure = re.search(
        r"<script type=\"application/json\" data-payment-failed>(.*?)</script>", text(declined)
    )
    booking_id = booking_id_of(shop, pay)
    assert json.loads(failure[1]) == {"bookingId": booking_id, "reason": "card_declined"}
    assert completion(declined) is None

    paid = shop.client.post(action, data=PAID)
    assert paid.status_code == 303
    after = shop.client.get(path_of(paid.headers["Location"]))
    assert path_of(paid.headers["Location"]).startswith("/embed/")
    made = completion(after)
    assert made["bookingId"] == booking_id and made["status"] == "CONFIRMED"
    assert "data-payment-failed" not in text(after)
    # Coming back to the page later tells the host nothing again.
    assert completion(shop.client.get(pay)) is None


def test_card_attempts_are_rate_limited(shop):
    _page, pay = book_paid(shop)
    booking_id = booking_id_of(shop, pay)
    shop.app.config["BOOKING_RATE_LIMIT"] = "2/minute"
    assert shop.client.post(pay, data=DECLINED).status_code == 422
    assert shop.client.post(pay + "/webview", data=DECLINED).status_code == 422
    refused = shop.client.post(pay, data=DECLINED)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert len(payments_of(shop, invoice_of(shop, booking_id).id)) == 2
    assert shop.client.get(pay).status_code == 200, "looking is not limited"
