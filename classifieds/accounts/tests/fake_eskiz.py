"""A stand-in for Eskiz.uz's HTTP API on 127.0.0.1: our backend talks real HTTP to it.

Tests script its answers per path (``server.reply("/api/message/sms/send", 500)``)
and read what it received (``server.requests``). ``delay`` makes it answer late,
for timeouts.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class Reply:
    status: int
    body: dict
    delay: float = 0.0


@dataclass
class FakeEskiz:
    requests: list[Received] = field(default_factory=list)
    replies: dict[str, deque[Reply]] = field(default_factory=lambda: defaultdict(deque))
    token: str = "token-1"
    url: str = ""

    def reply(self, path: str, status: int, body: dict | None = None, *, delay: float = 0.0, times: int = 1) -> None:
        """Answer the next ``times`` requests to ``path`` like this (then the defaults again)."""
        for _ in range(times):
            self.replies[path].append(Reply(status, body or {}, delay))

    def default(self, path: str, headers: dict[str, str]) -> Reply:
        if path == "/api/auth/login":
            return Reply(200, {"message": "token_generated", "data": {"token": self.token}, "token_type": "bearer"})
        if path == "/api/message/sms/send":
            if headers.get("authorization") != f"Bearer {self.token}":
                return Reply(401, {"status": "error", "message": "Expired"})
            return Reply(
                200, {"id": f"msg-{len(self.sent)}", "status": "waiting", "message": "Waiting for SMS provider"}
            )
        return Reply(404, {"message": "not found"})

    @property
    def sent(self) -> list[Received]:
        return [r for r in self.requests if r.path == "/api/message/sms/send"]

    @property
    def logins(self) -> list[Received]:
        return [r for r in self.requests if r.path == "/api/auth/login"]


def serve() -> tuple[FakeEskiz, ThreadingHTTPServer]:
    fake = FakeEskiz()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            form = {key: values[-1] for key, values in parse_qs(raw).items()}
            headers = {key.lower(): value for key, value in self.headers.items()}
            fake.requests.append(Received(self.path, headers, form))
            queued = fake.replies[self.path]
            reply = queued.popleft() if queued else fake.default(self.path, headers)
            if reply.delay:
                time.sleep(reply.delay)
            payload = json.dumps(reply.body).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/api"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return fake, server
