"""A calendar server on loopback, as a calendar app publishes a private ICS address: it
answers with an ETag and a 304 when the file has not changed, and can be switched off."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Times in Riyadh (UTC+3), where the test clinics are; "now" is Saturday 21 November 2026.
CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//Outside calendar//EN
BEGIN:VEVENT
UID:single@test
SUMMARY:Dentist (private)
DTSTART;TZID=Asia/Riyadh:20261122T100000
DTEND;TZID=Asia/Riyadh:20261122T110000
END:VEVENT
BEGIN:VEVENT
UID:weekly@test
SUMMARY:Team meeting
DTSTART;TZID=Asia/Riyadh:20261123T090000
DTEND;TZID=Asia/Riyadh:20261123T093000
RRULE:FREQ=WEEKLY;COUNT=4
EXDATE;TZID=Asia/Riyadh:20261130T090000
END:VEVENT
BEGIN:VEVENT
UID:weekly@test
SUMMARY:Team meeting (moved)
RECURRENCE-ID;TZID=Asia/Riyadh:20261207T090000
DTSTART;TZID=Asia/Riyadh:20261207T150000
DTEND;TZID=Asia/Riyadh:20261207T153000
END:VEVENT
BEGIN:VEVENT
UID:allday@test
SUMMARY:Conference
DTSTART;VALUE=DATE:20261125
DTEND;VALUE=DATE:20261126
END:VEVENT
BEGIN:VEVENT
UID:free@test
SUMMARY:Reminder only
TRANSP:TRANSPARENT
DTSTART;TZID=Asia/Riyadh:20261124T100000
DTEND;TZID=Asia/Riyadh:20261124T110000
END:VEVENT
BEGIN:VEVENT
UID:cancelled@test
SUMMARY:Called off
STATUS:CANCELLED
DTSTART;TZID=Asia/Riyadh:20261124T140000
DTEND;TZID=Asia/Riyadh:20261124T150000
END:VEVENT
BEGIN:VEVENT
UID:floating@test
SUMMARY:Gym
DTSTART:20261126T110000
DTEND:20261126T120000
END:VEVENT
END:VCALENDAR
"""


@dataclass
class IcsServer:
    url: str
    body: bytes = CALENDAR.replace("\n", "\r\n").encode()
    # The request headers (lower-case names) of every request, and the status answered.
    seen: list[tuple[dict[str, str], int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    http: ThreadingHTTPServer | None = field(default=None, repr=False)

    def serve(self, text: str) -> None:
        self.body = text.replace("\n", "\r\n").encode()

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'

    def statuses(self) -> list[int]:
        with self.lock:
            return [status for _headers, status in self.seen]

    def stop(self) -> None:
        """Switch the server off: connections are refused from now on."""
        if self.http is not None:
            self.http.shutdown()
            self.http.server_close()
            self.http = None


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the name http.server calls)
        ics: IcsServer = self.server.ics
        headers = {name.lower(): value for name, value in self.headers.items()}
        body, etag = ics.body, ics.etag
        status = 304 if headers.get("if-none-match") == etag else 200
        with ics.lock:
            ics.seen.append((headers, status))
        self.send_response(status)
        self.send_header("ETag", etag)
        if status == 200:
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status == 200:
            self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def start_ics_server() -> IcsServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.ics = IcsServer(url=f"http://127.0.0.1:{server.server_port}/private/basic.ics")
    server.ics.http = server
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.ics
