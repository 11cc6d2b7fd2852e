"""A webhook receiver on loopback that checks every delivery with the ``standardwebhooks``
package, as a subscriber's server would, and can be switched off."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    message_id: str
    payload: dict
    accepted: bool
    verified: bool


@dataclass
class Receiver:
    url: str
    secret: str = ""
    # More endpoints may point here, each with its own secret.
    other_secrets: list[str] = field(default_factory=list)
    down: bool = False
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accepted(self) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.accepted]

    def accepted_ids(self) -> list[str]:
        return [r.message_id for r in self.accepted()]


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (the name http.server calls)
        receiver: Receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        headers = {name.lower(): value for name, value in self.headers.items()}
        payload, verified = json.loads(body or b"{}"), False
        for secret in (receiver.secret, *receiver.other_secrets):
            try:
                payload, verified = Webhook(secret).verify(body, headers), True
                break
            except WebhookVerificationError:
                continue
        accepted = verified and not receiver.down
        with receiver.lock:
            receiver.received.append(
                Received(headers.get("webhook-id", ""), payload, accepted, verified)
            )
        self.send_response(204 if accepted else (503 if verified else 401))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 drops connections under parallel sends


def start_receiver() -> tuple[Receiver, ThreadingHTTPServer]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.receiver = Receiver(url=f"http://127.0.0.1:{server.server_port}/hooks")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.receiver, server
