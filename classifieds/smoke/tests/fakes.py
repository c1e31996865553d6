"""Payme's checkout page, Payme's server and an SMTP server, faked at their boundary on 127.0.0.1.

The site redirects a buyer to ``<PAYME_CHECKOUT_URL>/<base64("m=..;ac.order_id=..;a=..;c=..")>``;
``FakePaymeCheckout`` serves that page to the browser and remembers what it was asked to charge.
``PaymeServer`` then calls the site's webhook the way Payme's server does (JSON-RPC over POST with
``Basic base64("Paycom:<key>")``) once the buyer has paid.
"""

from __future__ import annotations

import base64
import html
import socketserver
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

MERCHANT_ID = "5e730e8e0b852a417aa49ceb"
KEY = "smoke-test-payme-key"


@dataclass(frozen=True)
class Checkout:
    """One visit of the checkout page: what Payme was asked to charge, and where to send the buyer back."""

    merchant: str
    order_id: str
    amount: int  # tiyin
    return_url: str


@dataclass
class FakePaymeCheckout:
    url: str = ""
    visits: list[Checkout] = field(default_factory=list)

    def last_visit(self, timeout: float = 10) -> Checkout:
        deadline = time.monotonic() + timeout
        while not self.visits and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.visits, "the browser never reached Payme's checkout"
        return self.visits[-1]


def _decode(path: str) -> Checkout:
    params = dict(part.split("=", 1) for part in base64.b64decode(path.strip("/")).decode().split(";"))
    return Checkout(
        merchant=params["m"], order_id=params["ac.order_id"], amount=int(params["a"]), return_url=params.get("c", "")
    )


def serve_payme_checkout() -> tuple[FakePaymeCheckout, ThreadingHTTPServer]:
    fake = FakePaymeCheckout()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            try:
                checkout = _decode(self.path)
            except (ValueError, KeyError):
                self.send_error(404)
                return
            fake.visits.append(checkout)
            body = (
                "<!doctype html><html lang='ru'><head><meta charset='utf-8'><title>Payme test checkout</title></head>"
                f"<body><h1>Payme</h1><p id='amount'>{checkout.amount}</p>"
                f"<a id='back' href='{html.escape(checkout.return_url, quote=True)}'>Вернуться в магазин</a></body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return fake, server


class PaymeServer:
    """Payme's server calling ``/payments/payme/webhook/`` of a site."""

    def __init__(self, site_url: str, key: str = KEY) -> None:
        self.webhook = f"{site_url}/payments/payme/webhook/"
        self.auth = "Basic " + base64.b64encode(f"Paycom:{key}".encode()).decode()
        self.next_id = 0

    def call(self, method: str, params: dict) -> dict:
        self.next_id += 1
        response = httpx.post(
            self.webhook,
            json={"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params},
            headers={"Authorization": self.auth},
            timeout=30,
        )
        assert response.status_code == 200, (method, response.status_code, response.text[:500])
        body = response.json()
        assert "error" not in body, (method, body)
        return body["result"]

    def pay(self, checkout: Checkout, transaction: str) -> None:
        """What Payme does when the buyer pays: check, create, perform."""
        account = {"order_id": checkout.order_id}
        assert self.call("CheckPerformTransaction", {"amount": checkout.amount, "account": account}) == {"allow": True}
        created = self.call(
            "CreateTransaction",
            {"id": transaction, "time": int(time.time() * 1000), "amount": checkout.amount, "account": account},
        )
        assert created["state"] == 1, created
        performed = self.call("PerformTransaction", {"id": transaction})
        assert performed["state"] == 2, performed


@dataclass
class FakeSmtp:
    """An SMTP server that accepts every message and keeps it (``EMAIL_SMTP_URL`` of the production site)."""

    url: str = ""
    messages: list[str] = field(default_factory=list)


def serve_smtp() -> tuple[FakeSmtp, socketserver.ThreadingTCPServer]:
    fake = FakeSmtp()

    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write(f"{line}\r\n".encode())

        def handle(self) -> None:
            self.reply("220 fake-smtp ESMTP")
            while line := self.rfile.readline():
                command = line.decode(errors="replace").strip().upper()
                if command.startswith(("EHLO", "HELO")):
                    self.reply("250 fake-smtp")
                elif command == "DATA":
                    self.reply("354 end with <CRLF>.<CRLF>")
                    lines = []
                    while (data := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                        lines.append(data.decode(errors="replace"))
                    fake.messages.append("".join(lines))
                    self.reply("250 queued")
                elif command == "QUIT":
                    self.reply("221 bye")
                    return
                else:  # MAIL FROM, RCPT TO, RSET, NOOP
                    self.reply("250 ok")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"smtp://127.0.0.1:{server.server_address[1]}?tls=false"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return fake, server
